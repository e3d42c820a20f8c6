/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Walks every route of the OpenAPI route table with the same four checks: unauthenticated → 401,
 * a role without the permission → 403, another workspace's id → 404, bad input → 400/422 naming the
 * field with nothing changed. A route file missing from the table (or the reverse) fails here.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { getPrisma } from "@parapet/db";
import { can } from "@parapet/core";
import { API_ROUTES, type ApiRoute } from "@parapet/core/openapi/routes";
import { call, ROLE_LIST, routeFile, snapshot } from "./harness.ts";
import { hasId, idFor, routeKey, VALID_BODY, VALID_QUERY } from "./bad-input.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let A: World;
let B: World;
/** The owner's tokens narrowed by scope only (issue 20): their role allows everything. */
let scoped: { read: string; plan: string };

beforeAll(async () => {
  A = await createWorld(prisma, "Alpha");
  B = await createWorld(prisma, "Bravo");
  const mint = async (scope: "read" | "plan") => {
    const t = await call("POST", "/tokens", { key: A.members.owner.key, body: { name: `owner ${scope}`, role: "owner", scope } });
    if (t.status !== 201) throw new Error(`${scope} token: ${t.text}`);
    return t.body.token as string;
  };
  scoped = { read: await mint("read"), plan: await mint("plan") };
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

const key = routeKey;

function request(r: ApiRoute, w: World, k: string | undefined, over: { id?: string } = {}) {
  return call(r.method, r.path, {
    ...(k ? { key: k } : {}),
    params: hasId(r) ? { id: over.id ?? idFor(w, r.path, w === B) } : {},
    query: VALID_QUERY[key(r)]?.(w) ?? {},
    ...(r.body ? { body: VALID_BODY[key(r)]!(w) } : {}),
  });
}

function walkRouteFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      // The catch-all only answers JSON 404s for unknown paths; it is no API route.
      if (name === "_tests" || name === "events" || name.startsWith("[...")) continue;
      walkRouteFiles(p, out);
    } else if (name === "route.ts") out.push(p);
  }
  return out;
}

describe("route table", () => {
  it("every route file is in the table and every table entry has a handler", () => {
    const root = join(routeFile("/"), "..");
    const documented = new Set(API_ROUTES.map(key));
    for (const file of walkRouteFiles(root)) {
      const template = `/${relative(root, join(file, ".."))
        .split("/")
        .map((s) => s.replace(/^\[(\w+)\]$/, "{$1}"))
        .join("/")}`;
      const methods = [
        ...readFileSync(file, "utf8").matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g),
      ].map((m) => m[1]);
      expect(methods.length, file).toBeGreaterThan(0);
      for (const m of methods) expect(documented.has(`${m} ${template}`), `${m} ${template} is not in API_ROUTES`).toBe(true);
    }
  });
  it("every route with a body has a valid sample, and every id route an id mapping", () => {
    for (const r of API_ROUTES) {
      if (r.body) expect(VALID_BODY[key(r)], key(r)).toBeTypeOf("function");
      if (hasId(r)) expect(() => idFor(A, r.path)).not.toThrow();
    }
  });
  it("serves the OpenAPI document without authentication", async () => {
    const r = await call("GET", "/openapi.json");
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths).length).toBe(new Set(API_ROUTES.map((x) => x.path)).size);
  });
});

const guarded = API_ROUTES.filter((r) => !r.public);

describe.each(guarded.map((r) => [key(r), r] as const))("%s", (_, r) => {
  it("answers 401 without credentials or with a bad token", async () => {
    expect((await request(r, A, undefined)).status).toBe(401);
    const bad = await request(r, A, "ppt_notarealtokennotarealtokennotarealtokennotarealtokennotarealtoken");
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe("unauthenticated");
    // Every answer names its request id, in the header and (for errors) in the body.
    expect(bad.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{24}$/);
    expect(bad.body.error.requestId).toBe(bad.headers.get("x-request-id"));
  });

  if (r.method === "GET") {
    it("a successful read carries its request id too", async () => {
      const res = await request(r, A, A.members.viewer.key);
      expect(res.headers.get("x-request-id"), `${res.status} ${res.text.slice(0, 200)}`).toMatch(/^req_[0-9a-f]{24}$/);
      // A body that breaks the route's response schema is a 500 from the wrapper: no read may answer one.
      expect(res.status, res.text.slice(0, 200)).toBeLessThan(500);
    });
  }

  it("answers 403 to roles without the permission", async () => {
    const lacking = r.permission ? ROLE_LIST.filter((role) => !can(role, r.permission![0], r.permission![1] as never)) : [];
    if (lacking.length === 0) {
      // Everyone may call it: the weakest role gets through authorisation.
      const res = await request(r, A, A.members.viewer.key);
      expect([401, 403]).not.toContain(res.status);
      return;
    }
    const before = await snapshot(prisma, A.id);
    for (const role of lacking) {
      const res = await request(r, A, A.members[role].key);
      expect(res.status, `${role}: ${res.text}`).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    expect(await snapshot(prisma, A.id)).toEqual(before);
  });

  if (r.method !== "GET") {
    it("refuses a read-only token (x-api-key and Bearer) and, unless it changes nothing, a plan token; nothing changes", async () => {
      const before = await snapshot(prisma, A.id);
      const withHeader = (h: Record<string, string>) =>
        call(r.method, r.path, {
          headers: h,
          params: hasId(r) ? { id: idFor(A, r.path) } : {},
          query: VALID_QUERY[key(r)]?.(A) ?? {},
          ...(r.body ? { body: VALID_BODY[key(r)]!(A) } : {}),
        });
      const refused: Record<string, string>[] = [{ "x-api-key": scoped.read }, { authorization: `Bearer ${scoped.read}` }];
      if (!r.changesNothing) refused.push({ "x-api-key": scoped.plan }, { authorization: `Bearer ${scoped.plan}` });
      for (const h of refused) {
        const res = await withHeader(h);
        expect(res.status, `${JSON.stringify(Object.keys(h))}: ${res.text}`).toBe(403);
        expect(res.body.error.message).toMatch(/^token scope: /);
      }
      if (r.changesNothing) expect((await withHeader({ authorization: `Bearer ${scoped.plan}` })).status).not.toBe(403);
      expect(await snapshot(prisma, A.id)).toEqual(before);
    });
  }

  if (hasId(r)) {
    it("answers 404 for another workspace's id, changing nothing there", async () => {
      const beforeB = await snapshot(prisma, B.id);
      const res = await request(r, A, A.members.owner.key, { id: idFor(B, r.path, true) });
      expect(res.status, res.text).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      expect(await snapshot(prisma, B.id)).toEqual(beforeB);
    });
  }

  if (r.body || r.query) {
    it("answers 400/422 naming the field for bad input, changing nothing", async () => {
      const before = await snapshot(prisma, A.id);
      const base: { key: string; params: Record<string, string> } = {
        key: A.members.owner.key,
        params: hasId(r) ? { id: idFor(A, r.path) } : {},
      };
      if (r.body) {
        const malformed = await call(r.method, r.path, { ...base, query: VALID_QUERY[key(r)]?.(A) ?? {}, rawBody: "{ not json" });
        expect(malformed.status).toBe(400);
        expect(malformed.body.error.message).toMatch(/^body: /);
        const notObject = await call(r.method, r.path, { ...base, query: VALID_QUERY[key(r)]?.(A) ?? {}, body: [1, 2] });
        expect(notObject.status).toBe(422);
        const props =
          (
            z.toJSONSchema(r.body, { io: "input", unrepresentable: "any" }) as {
              properties?: Record<string, { type?: string; enum?: unknown[] }>;
            }
          ).properties ?? {};
        expect(Object.keys(props).length).toBeGreaterThan(0);
        for (const [field, schema] of Object.entries(props)) {
          const wrong =
            schema.type === "string" || schema.enum
              ? 12345
              : schema.type === "number" || schema.type === "integer"
                ? "not a number"
                : schema.type === "boolean"
                  ? "yes"
                  : "not an object";
          const body = { ...(VALID_BODY[key(r)]!(A) as object), [field]: wrong };
          const res = await call(r.method, r.path, { ...base, query: VALID_QUERY[key(r)]?.(A) ?? {}, body });
          expect(res.status, `${field}: ${res.text}`).toBe(422);
          expect(res.body.error.issues.map((i: { field: string }) => i.field.split(".")[0])).toContain(field);
          expect(res.body.error.message.startsWith(res.body.error.issues[0].field)).toBe(true);
        }
      }
      if (r.query) {
        const props =
          (
            z.toJSONSchema(r.query, { io: "input", unrepresentable: "any" }) as {
              properties?: Record<string, { type?: string; enum?: unknown[]; maxLength?: number; format?: string }>;
            }
          ).properties ?? {};
        for (const [field, schema] of Object.entries(props)) {
          const wrong = schema.enum
            ? "not-an-option"
            : schema.type === "number" || schema.type === "integer"
              ? "abc"
              : schema.format
                ? "not-a-date"
                : schema.maxLength
                  ? "x".repeat(schema.maxLength + 1)
                  : undefined;
          if (wrong === undefined) continue;
          const res = await call(r.method, r.path, {
            ...base,
            query: { ...(VALID_QUERY[key(r)]?.(A) ?? {}), [field]: wrong },
            ...(r.body ? { body: VALID_BODY[key(r)]!(A) } : {}),
          });
          expect(res.status, `${field}: ${res.text}`).toBe(422);
          expect(res.body.error.issues[0].field).toBe(field);
        }
      }
      expect(await snapshot(prisma, A.id)).toEqual(before);
    });
  }
});
