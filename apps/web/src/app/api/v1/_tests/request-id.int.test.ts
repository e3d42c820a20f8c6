/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Issue 14: every response carries a request id (header `x-request-id`, and `requestId` in every error
 * body), a 5xx is logged with that same id, a well-formed id from the caller is kept, and anything else
 * is replaced. The route matrix (routes.int.test.ts) checks the header on every route's answers.
 */
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getPrisma } from "@parapet/db";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { BASE_URL, call } from "./harness.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let A: World;
const ID = /^req_[0-9a-f]{24}$/;

beforeAll(async () => {
  A = await createWorld(prisma, "Reqid");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("request ids", () => {
  it("a 500 shows the same id in the header, the body and the server's log line, and nothing else", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(" ")));
    // The real wrapper every /api/v1 route uses, around a handler that fails in a way nobody anticipated.
    const failing = route(api("GET /me"), () => Promise.reject(new Error("secret-ish internal detail: pool exhausted at 0xdeadbeef")));
    const res = await failing(new Request(`${BASE_URL}/api/v1/me`, { headers: { "x-api-key": A.members.viewer.key } }), { params: Promise.resolve({}) });
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    const id = res.headers.get("x-request-id");
    expect(res.status).toBe(500);
    expect(id).toMatch(ID);
    expect(body.error).toEqual({ code: "internal", message: "Something went wrong on our side. It has been logged.", requestId: id });
    expect(JSON.stringify(body)).not.toContain("0xdeadbeef");
    const line = logged.find((l) => l.includes(id!));
    expect(line, logged.join("\n---\n")).toBeDefined();
    expect(line).toContain("0xdeadbeef");
  });

  it("keeps a well-formed id from the caller, on success and on error", async () => {
    const mine = "gw-7f3a9c1e-0b2d-4e55-9a10-1c2d3e4f5a6b";
    const ok = await call("GET", "/me", { key: A.members.viewer.key, headers: { "x-request-id": mine } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-request-id")).toBe(mine);
    const denied = await call("GET", "/me", { headers: { "x-request-id": mine } });
    expect(denied.status).toBe(401);
    expect(denied.body.error.requestId).toBe(mine);
  });

  it("replaces an id that could forge or flood a log line", async () => {
    for (const bad of ["short", "x".repeat(129), "abc def ghi jkl", "tab\there-12345678", "req_<script>alert(1)</script>", "id;drop=1234567"]) {
      const res = await call("GET", "/me", { key: A.members.viewer.key, headers: { "x-request-id": bad } });
      expect(res.headers.get("x-request-id"), JSON.stringify(bad)).toMatch(ID);
    }
  });

  it("each request gets its own id", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await call("GET", "/me", { key: A.members.viewer.key })).headers.get("x-request-id")!);
    expect(ids.size).toBe(5);
  });

  it("answers made by the proxy, the sign-in surface and the event webhook carry one too", async () => {
    const { proxy } = await import("@/proxy");
    const notAllowed = proxy(new NextRequest(`${BASE_URL}/api/v1/me`, { method: "PUT" }));
    expect(notAllowed.status).toBe(405);
    const body = (await notAllowed.json()) as { error: { requestId: string } };
    expect(notAllowed.headers.get("x-request-id")).toMatch(ID);
    expect(body.error.requestId).toBe(notAllowed.headers.get("x-request-id"));

    const auth = await import("@/app/api/auth/[...all]/route");
    const hidden = await auth.GET(new Request(`${BASE_URL}/api/auth/list-sessions`));
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get("x-request-id")).toMatch(ID);

    const events = await import("@/app/api/v1/events/[cloud]/[connectionId]/route");
    const unknown = await events.POST(new Request(`${BASE_URL}/api/v1/events/aws/nosuchconnection`, { method: "POST", body: "{}" }), {
      params: Promise.resolve({ cloud: "aws", connectionId: "nosuchconnection" }),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("x-request-id")).toMatch(ID);
    expect(((await unknown.json()) as { error: { requestId: string } }).error.requestId).toBe(unknown.headers.get("x-request-id"));
  });
});
