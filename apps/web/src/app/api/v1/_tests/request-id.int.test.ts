/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Issue 14: every response carries a request id (header `x-request-id`, and `requestId` in every error
 * body), a 5xx is logged with that same id (a JSON line from the apps' logger, read here from the
 * destination the logger writes to), a well-formed id from the caller is kept, and anything else is
 * replaced. The route matrix (routes.int.test.ts) checks the header on every route's answers.
 */
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { configureLogging } from "@parapet/core/common/logger";
import { api } from "@parapet/core/openapi/routes";
import { captureLogLines, type TLogLine } from "@parapet/core/testing/log-capture";
import { route } from "@/server/api";
import { serverLog } from "@/server/request-log";
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
/** The web's log lines from here on, parsed (at info, so access lines show too). */
function captureLog(): TLogLine[] {
  // First use configures the root logger from env.ts; the capture is set after it, so it stays.
  serverLog();
  const { destination, lines } = captureLogLines();
  configureLogging({ level: "info", destination });
  return lines;
}
afterEach(() => {
  configureLogging({ level: "warn", destination: undefined });
});

describe("request ids", () => {
  it("a 500 shows the same id in the header, the body and the server's log line, and nothing else", async () => {
    const logged = captureLog();
    // The real wrapper every /api/v1 route uses, around a handler that fails in a way nobody anticipated.
    const failing = route(api("GET /me"), () => Promise.reject(new Error("secret-ish internal detail: pool exhausted at 0xdeadbeef")));
    const res = await failing(new Request(`${BASE_URL}/api/v1/me`, { headers: { "x-api-key": A.members.viewer.key } }), {
      params: Promise.resolve({}),
    });
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    const id = res.headers.get("x-request-id");
    expect(res.status).toBe(500);
    expect(id).toMatch(ID);
    expect(body.error).toEqual({ code: "internal", message: "Something went wrong on our side. It has been logged.", requestId: id });
    expect(JSON.stringify(body)).not.toContain("0xdeadbeef");
    // The error line: the body's id, the error's message and stack, for the operator only.
    const errors = logged.filter((l) => l.level === "error" && l.msg === "unhandled API error");
    expect(errors, JSON.stringify(logged)).toHaveLength(1);
    expect(errors[0]!.requestId).toBe(body.error.requestId);
    expect(errors[0]).toMatchObject({ service: "web", method: "GET", path: "/api/v1/me", workspaceId: A.id, status: 500 });
    expect(errors[0]!.err?.message).toContain("0xdeadbeef");
    expect(errors[0]!.err?.stack).toMatch(/^Error: secret-ish internal detail/);
    // And the request's access line, with the same id and how long it took.
    const access = logged.filter((l) => l.msg === "request");
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ level: "error", requestId: id, status: 500, method: "GET", path: "/api/v1/me", workspaceId: A.id });
    expect(access[0]!.durationMs).toEqual(expect.any(Number));
    // The API key that authenticated the request is nowhere in the log.
    expect(JSON.stringify(logged)).not.toContain(A.members.viewer.key);
  });

  it("a request that succeeds or is refused writes one access line at info, with its id and no query string", async () => {
    const logged = captureLog();
    const ok = await call("GET", "/me", { key: A.members.viewer.key, query: { token: "query-secret-123" } });
    const denied = await call("GET", "/me", {});
    expect([ok.status, denied.status]).toEqual([200, 401]);
    const access = logged.filter((l) => l.msg === "request");
    expect(access.map((l) => [l.level, l.status, l.requestId])).toEqual([
      ["info", 200, ok.headers.get("x-request-id")],
      ["info", 401, denied.headers.get("x-request-id")],
    ]);
    expect(access[0]).toMatchObject({ path: "/api/v1/me", workspaceId: A.id });
    // Not authenticated: no workspace to name.
    expect(access[1]).not.toHaveProperty("workspaceId");
    expect(JSON.stringify(logged)).not.toContain("query-secret-123");
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
    for (const bad of [
      "short",
      "x".repeat(129),
      "abc def ghi jkl",
      "tab\there-12345678",
      "req_<script>alert(1)</script>",
      "id;drop=1234567",
    ]) {
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
