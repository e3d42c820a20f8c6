/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * A malformed-input corpus thrown at every route (bodies, query strings, path ids): wrong types,
 * oversize values, unicode, markup, SQL meta-characters, invalid cloud ids and label expressions.
 * Nothing may answer 5xx, and nothing may change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { getPrisma } from "@parapet/db";
import { can } from "@parapet/core";
import { API_ROUTES } from "@parapet/core/openapi/routes";
import { call, snapshot } from "./harness.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let w: World;
beforeAll(async () => {
  w = await createWorld(prisma, "Corpus");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

const STRINGS = [
  "",
  " ",
  "x".repeat(5000),
  "ünïcödé ☃ 𝔘𝔫𝔦 \u202e\u0000\ud800",
  "<script>alert(1)</script>",
  "' OR 1=1; DROP TABLE guardrail; --",
  "%00%27%22\\\\",
  "arn:aws:iam::12:role/../../x",
  "ocid1.tenancy..",
  "ocid1.user.oc1..AAAA; rm -rf /",
  "o-",
  "env = ",
  "(env=prod",
  "env in prod",
  "and=1",
  "((((((((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))))))))",
  "../../../etc/passwd",
  "${jndi:ldap://x}",
];
const LABEL_EXPRESSIONS = [
  "",
  "env = ",
  "(env=prod",
  "env=prod)",
  "env in prod",
  "and=1",
  "env = 'prod'",
  'env="prod',
  "x".repeat(1001),
  "(".repeat(40) + "a" + ")".repeat(40),
  "<script>",
  "env=prod; DROP TABLE node",
];
const CLOUD_IDS = [
  "arn:aws:iam::12:role/../../x",
  "arn:aws:iam::111122223333:user/not-a-role",
  "ocid1.tenancy..",
  "ocid1.user.oc1..AAAA; rm -rf /",
  "o-",
  "o-UPPERCASE123",
  "' OR 1=1 --",
  "organizations/abc",
];

/** The nastiest few, for the places where every combination is tried. */
const SHARP = [STRINGS[2]!, STRINGS[3]!, STRINGS[4]!, STRINGS[5]!, STRINGS[8]!, STRINGS[12]!, STRINGS[15]!];
const VALUES: unknown[] = [...SHARP, "", -1, 1e308, true, null, [], {}, [null], { constructor: { prototype: {} } }];

/** Replaces one top-level field of a plausible body with each corpus value. */
function bodies(schema: z.ZodType): unknown[] {
  const props = Object.keys((z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: object }).properties ?? {});
  const out: unknown[] = [null, "string body", 42, { nested: { deeply: { x: STRINGS[3] } } }];
  for (const p of props) for (const v of VALUES) out.push({ [p]: v });
  // Nested shapes, where the interesting parsing happens.
  for (const e of LABEL_EXPRESSIONS) out.push({ scope: { labels: e } });
  for (const id of CLOUD_IDS)
    out.push(
      { credentials: { kind: "assume-role", roleArn: id, externalId: id } },
      { facts: { orgId: id, managementAccountId: id, tenancyOcid: id } },
      { principals: { connector: [id] } },
    );
  for (const x of SHARP) out.push({ scope: { nodeIds: [x] } }, { overrides: { [x || "k"]: x } });
  return out;
}

describe("malformed-input corpus", () => {
  it("never answers 5xx and changes nothing", async () => {
    const before = await snapshot(prisma, w.id);
    let calls = 0;
    for (const r of API_ROUTES) {
      if (r.public) continue;
      // Writes a viewer may legitimately make (subscribing to reports) change things; the next test covers their bodies.
      if (r.method !== "GET" && (!r.permission || can("viewer", r.permission[0], r.permission[1] as never))) continue;
      const realId = r.path.includes("{id}")
        ? r.path.startsWith("/connections")
          ? w.connectionId
          : r.path.startsWith("/guardrails")
            ? w.guardrailId
            : r.path.startsWith("/nodes")
              ? w.nodes.p1
              : r.path.startsWith("/approvals")
                ? w.approvalId
                : "x"
        : undefined;
      // A lone surrogate cannot be put in a URL by any client; the rest of each string can.
      const pathIds = r.path.includes("{id}") ? [...SHARP.map((x) => x.replace(/[\ud800-\udfff]/g, "")), realId!] : [undefined];
      for (const id of pathIds) {
        const params: Record<string, string> = id === undefined ? {} : { id };
        // Bodies are the next test's business (a viewer's writes are refused before parsing).
        const tries = r.body ? [{}] : [undefined];
        for (const body of tries) {
          const res = await call(r.method, r.path, { key: w.members.viewer.key, params, ...(body !== undefined ? { body } : {}) });
          calls++;
          expect(
            res.status,
            `${r.method} ${r.path} id=${JSON.stringify(id)} body=${JSON.stringify(body)?.slice(0, 200)}: ${res.text.slice(0, 300)}`,
          ).toBeLessThan(500);
        }
        if (r.query) {
          const props = Object.keys(
            (z.toJSONSchema(r.query, { io: "input", unrepresentable: "any" }) as { properties?: object }).properties ?? {},
          );
          for (const p of props) {
            if (id !== realId) continue;
            for (const s of SHARP) {
              const res = await call(r.method, r.path, {
                key: w.members.owner.key,
                params,
                query: { [p]: s },
                ...(r.body ? { body: {} } : {}),
              });
              calls++;
              expect(res.status, `${r.method} ${r.path}?${p}=${JSON.stringify(s).slice(0, 100)}: ${res.text.slice(0, 300)}`).toBeLessThan(
                500,
              );
            }
          }
        }
      }
    }
    // The viewer cannot change anything; the owner only sent queries to routes whose writes need a valid body.
    expect(calls).toBeGreaterThan(300);
    expect(await snapshot(prisma, w.id)).toEqual(before);
  }, 600_000);

  it("authorised writers never get 5xx for any corpus body", async () => {
    for (const r of API_ROUTES) {
      if (!r.body) continue;
      const id = r.path.startsWith("/connections")
        ? w.connectionId
        : r.path.startsWith("/guardrails")
          ? w.guardrailId
          : r.path.startsWith("/nodes")
            ? w.nodes.p1
            : r.path.startsWith("/approvals")
              ? w.approvalId
              : r.path.startsWith("/catalog")
                ? "restrict-regions"
                : w.members.viewer.memberId;
      for (const body of bodies(r.body)) {
        const res = await call(r.method, r.path, { key: w.members.owner.key, params: { id }, body });
        expect(res.status, `${r.method} ${r.path} ${JSON.stringify(body)?.slice(0, 200)}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
        // Whatever was accepted must have kept the audit chain intact.
      }
    }
    expect((await call("GET", "/audit/verify", { key: w.members.viewer.key })).body.ok).toBe(true);
  }, 600_000);

  it("invalid label expressions answer 422 naming scope.labels", async () => {
    for (const labels of LABEL_EXPRESSIONS.filter(Boolean)) {
      const res = await call("POST", "/scope/preview", { key: w.members.viewer.key, body: { scope: { labels } } });
      expect(res.status, `${labels}: ${res.text}`).toBe(422);
      expect(res.body.error.issues[0].field).toBe("scope.labels");
    }
    const g = await call("POST", "/guardrails", {
      key: w.members.author.key,
      body: { controlId: "deny-root-user", name: "x", scope: { labels: "env in prod" }, mode: "enforce", remediation: "auto" },
    });
    expect(g.status).toBe(422);
    expect(g.body.error.message).toMatch(/^scope\.labels: expected "\(" after "in"/);
  });

  it("refuses an oversize body with 400", async () => {
    const res = await call("POST", "/guardrails", {
      key: w.members.owner.key,
      rawBody: JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^body: larger than/);
  });
});
