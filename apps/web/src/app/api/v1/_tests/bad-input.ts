/**
 * The bad-input campaign: requests generated from the route table's zod schemas (the same schemas the
 * OpenAPI document is built from) plus hand-written nasty cases, a judge for each answer, and a
 * fingerprint of the data to show nothing changed. Free of vitest: the integration test sends the cases
 * in-process (harness.ts), the benchmark (bench/bad-input.bench.ts) over HTTP to a running server.
 *
 * Every case is meant to be refused. Where a generated variation turns out to be valid (the schema
 * accepts it: an optional field left out, a string that is merely odd), a write route would really
 * change data, so such cases are not sent and are counted as `excluded`; read routes are sent anyway
 * and may answer 2xx.
 */
import { z } from "zod";
import { can, type Role } from "@parapet/core";
import { unstorableString } from "@parapet/core/common/unstorable";
import { API_ROUTES, type ApiRoute } from "@parapet/core/openapi/routes";
import { AWS_FACTS, type World } from "./world-seed.ts";

// ---------------------------------------------------------------------------------------------------
// Valid requests per route (so one thing at a time can be made wrong), shared with routes.int.test.ts.

export const routeKey = (r: Pick<ApiRoute, "method" | "path">) => `${r.method} ${r.path}`;
export const hasId = (r: ApiRoute) => r.path.includes("{id}");

/** The id of the path's resource in world `w`; `other` picks ids that exist nowhere (controls and reports are not per workspace). */
export function idFor(w: World, path: string, other = false): string {
  const [, head] = path.split("/");
  switch (head) {
    case "connections":
      return w.connectionId;
    case "guardrails":
      return w.guardrailId;
    case "exemptions":
      return w.exemptionId;
    case "approvals":
      return w.approvalId;
    case "drift":
      return w.driftId;
    case "nodes":
      return w.nodes.p1;
    case "members":
      return w.members.viewer.memberId;
    case "tokens":
      return w.tokenId;
    case "invitations":
      return w.invitationId;
    case "catalog":
      return other ? "no-such-control" : "deny-leave-organization";
    case "me":
      // /me/sessions/{id}: no session of either world is ever named; an unknown id answers 404.
      return other ? "no-such-session-b" : "no-such-session-a";
    case "sso":
      // Neither world has an SSO provider: an unknown id must answer like a foreign one (404).
      return other ? "bravo-no-sso-provider" : "alpha-no-sso-provider";
    case "denials":
      return w.denialId;
    case "notifications":
      return path.startsWith("/notifications/rules") ? w.ruleId : w.channelId;
    case "reports":
      // No snapshot or subscription exists in either world: an unknown id must answer like a foreign one.
      return other ? "no-such-report-b" : "no-such-report-a";
  }
  throw new Error(`no id mapping for ${path}: add one to idFor()`);
}

const AZURE_TENANT = "7f3c2b1a-0d4e-4f5a-8b6c-9d0e1f2a3b4c";

/** Endpoint forms that reach the worker's own network; none is covered by a simulator allowlist of 127.0.0.1. */
export const SSRF_ENDPOINTS = [
  "http://127.0.0.2:4010",
  "http://localhost:4010",
  "http://[::1]:4010",
  "http://[::ffff:127.0.0.2]:4010",
  "http://0.0.0.0:4010",
  "http://169.254.169.254",
  "http://[fd00:ec2::254]",
  "http://metadata.google.internal",
  "http://10.0.0.5:8080",
  "http://192.168.1.1",
  "http://100.64.0.1",
  "http://[fe80::1]",
  "http://[fc00::1]",
  "https://evil-bucket.s3-website-us-east-1.amazonaws.com",
  "https://organizations.us-east-1.amazonaws.com/any/path",
] as const;

const awsCreds = (w: World) => ({
  kind: "assume-role",
  roleArn: "arn:aws:iam::111122223333:role/ParapetConnector",
  externalId: w.externalId,
});

/** A guardrails document (policy as code) adding one guardrail. */
const CODE_DOCUMENT = {
  version: 1,
  guardrails: [
    { key: "no-root", control: "deny-root-user", name: "No root", params: {}, scope: { all: true }, mode: "enforce", remediation: "auto" },
  ],
};

/**
 * Where a body takes one of two alternatives (an exemption of a node or of a principal), the generated
 * cases for a field of the other alternative start from a valid body of that alternative: a bad
 * `principal.id` is only meaningful beside a valid `principal.cloud` and without a `nodeId`.
 */
const ALTERNATE_BODY: Record<string, Record<string, (w: World) => Record<string, unknown>>> = {
  "POST /exemptions": {
    principal: (w) => {
      const { nodeId: _nodeId, ...rest } = VALID_BODY["POST /exemptions"]!(w);
      return { ...rest, principal: { cloud: "aws", id: "arn:aws:iam::123456789012:role/release-bot" } };
    },
  },
};

/** A valid request body per route. */
export const VALID_BODY: Record<string, (w: World) => Record<string, unknown>> = {
  "POST /catalog/controls/{id}/compile": () => ({ params: {}, mode: "enforce", cloud: "aws" }),
  "POST /connections": (w) => ({ cloud: "aws", name: "another", credentials: awsCreds(w), facts: AWS_FACTS }),
  "PATCH /connections/{id}": () => ({ pollIntervalSec: 600 }),
  "POST /connections/{id}/rotate-credentials": (w) => ({ credentials: awsCreds(w) }),
  "PATCH /nodes/{id}/labels": () => ({ overrides: { team: "payments" } }),
  "POST /scope/preview": () => ({ scope: { all: true } }),
  "POST /guardrails": () => ({
    controlId: "deny-root-user",
    name: "No root",
    params: {},
    scope: { all: true },
    mode: "enforce",
    remediation: "auto",
  }),
  "PATCH /guardrails/{id}": () => ({ description: "edited" }),
  "POST /code/plan": () => ({ document: CODE_DOCUMENT }),
  "POST /code/apply": () => ({ document: CODE_DOCUMENT, source: { repo: "github.com/acme/guardrails", commit: "0123abcd" } }),
  "POST /guardrails/{id}/impact": () => ({ days: 7 }),
  // No foreign policy exists in the test worlds, so a valid body still answers 404 and changes nothing.
  "POST /connections/{id}/posture/watch": () => ({ policyId: "no-such-policy", watch: true }),
  "POST /connections/{id}/posture/adopt": (w) => ({ policyId: "no-such-policy", guardrailId: w.guardrailId, bodyHash: "0".repeat(64) }),
  "POST /connections/{id}/posture/adopt/preview": (w) => ({
    policyId: "no-such-policy",
    guardrailId: w.guardrailId,
    bodyHash: "0".repeat(64),
  }),
  "POST /guardrails/{id}/rollout": (w) => ({
    stages: [
      { kind: "canary", nodeIds: [w.nodes.p2], soakMinutes: 60 },
      { kind: "wave", percent: 50, soakMinutes: 60 },
      { kind: "everywhere", soakMinutes: 60 },
    ],
  }),
  "POST /guardrails/{id}/rollout/hold": () => ({ reason: "looking at the canary" }),
  "POST /guardrails/{id}/rollout/resume": () => ({ reason: "looked fine" }),
  "POST /guardrails/{id}/rollout/roll-back": () => ({ reason: "denied the billing role" }),
  "POST /exemptions": (w) => ({
    guardrailId: w.guardrailId,
    nodeId: w.nodes.p2,
    reason: "vendor audit",
    ownerEmail: "o@example.test",
    expiresAt: new Date(Date.now() + 86_400_000 * 3).toISOString(),
  }),
  "POST /approvals/{id}/approve": () => ({ note: "fine" }),
  "POST /approvals/{id}/reject": () => ({ note: "no" }),
  "POST /invitations": () => ({ email: "new-person@example.test", role: "viewer" }),
  "PATCH /members/{id}": () => ({ role: "author" }),
  "POST /me/workspace": (w) => ({ workspaceId: w.id }),
  "POST /invitations/accept": (w) => ({ token: w.invitationToken, password: "a long enough password", name: "Sam Sample" }),
  "POST /tokens": () => ({ name: "pipeline", role: "viewer" }),
  "PATCH /settings": () => ({ timezone: "Europe/Paris" }),
  "PATCH /sso": () => ({ groupClaim: "groups", roleMapping: [{ group: "engineers", role: "author" }] }),
  "POST /sso/providers/saml": () => ({
    protocol: "saml",
    domain: "saml-sample.example",
    idpEntityId: "https://idp.saml-sample.example/metadata",
    ssoUrl: "https://idp.saml-sample.example/sso",
    certificate: "MIIBsample",
  }),
  "POST /sso/providers": () => ({
    protocol: "oidc",
    domain: "sso-sample.example",
    issuer: "https://idp.sso-sample.example",
    clientId: "parapet",
    clientSecret: "client-secret",
  }),
  "PATCH /reports/schedule": () => ({ reportHour: 9 }),
  // Subscribing yourself needs only report:subscribe (other addresses need report:manage).
  "POST /reports/subscriptions": () => ({}),
  "POST /reports/send-now": () => ({ to: "me" }),
  "PATCH /reports/subscriptions/{id}": () => ({ active: false }),
  "POST /notifications/channels": () => ({ name: "team slack", kind: "slack", url: "https://hooks.slack.com/services/T0/B0/xyz" }),
  "PATCH /notifications/channels/{id}": () => ({ name: "ops webhook (renamed)" }),
  "POST /notifications/rules": (w) => ({ name: "repairs", channelId: w.channelId, eventTypes: ["repair.failed"], minSeverity: "warning" }),
  "PATCH /notifications/rules/{id}": () => ({ digestWindowSec: 120 }),
  "PATCH /notifications/settings": () => ({ coverageThreshold: 80 }),
  "POST /denials/{id}/exemption": () => ({
    reason: "deploy window",
    ownerEmail: "o@example.test",
    expiresAt: new Date(Date.now() + 86_400_000 * 3).toISOString(),
  }),
};
export const VALID_QUERY: Record<string, (w: World) => Record<string, string>> = {
  "GET /notifications/channels/{id}/deliveries": () => ({ limit: "20" }),
  "GET /denials": () => ({ limit: "20", parapet: "true" }),
  "GET /connections/bootstrap": () => ({ cloud: "aws" }),
  // Never a world's own connection name ("<name> org"): only the other world's, so a delete can never go through.
  "DELETE /connections/{id}": () => ({ confirm: "Bravo org" }),
  "GET /guardrails/{id}/diff": () => ({ from: "1", to: "1" }),
  "GET /invitations/lookup": (w) => ({ token: w.invitationToken }),
};

/** POSTs that only compute (nothing is saved), so a 2xx to an odd but valid body is harmless. */
const READ_ONLY_POSTS = new Set(["POST /scope/preview", "POST /catalog/controls/{id}/compile"]);
const isWrite = (r: Pick<ApiRoute, "method" | "path">) => r.method !== "GET" && !READ_ONLY_POSTS.has(routeKey(r));

// ---------------------------------------------------------------------------------------------------
// Cases.

type Expect = "401" | "403" | "404" | "405" | "4xx" | "any";

export interface BadCase {
  category: string;
  /** "POST /guardrails" (route table key), or the raw path for HTTP-only cases. */
  route: string;
  method: string;
  /** Path template under /api/v1, e.g. /guardrails/{id}. */
  template: string;
  params: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body?: Buffer;
  /** Send without content-length (chunked). */
  chunked?: boolean;
  expect: Expect;
  /** The field or parameter the case makes wrong: a 400/422 must name it. */
  field?: string;
  note: string;
  /** Needs Next's router (405, unknown paths, unnormalised paths): HTTP only. */
  httpOnly?: boolean;
  /** Sent verbatim over HTTP instead of /api/v1 + template. */
  rawPath?: string;
  /** The path resolves outside /api/v1 (a console page): Next's HTML not-found page is the right answer there. */
  outsideApi?: boolean;
}

export const NASTY_STRINGS: [string, string][] = [
  ["empty", ""],
  ["space", " "],
  ["whitespace", "\t\n\r "],
  ["257 chars", "x".repeat(257)],
  ["5,000 chars", "y".repeat(5000)],
  ["unicode", "ünïcödé ☃ 𝔘𝔫𝔦 中文 العربية"],
  ["RTL override", "\u202egnp.exe"],
  ["zero-width", "a\u200bb\ufeff"],
  ["emoji", "🙂".repeat(50)],
  ["NUL", "a\u0000b"],
  ["lone surrogate", "x\ud800y"],
  ["HTML", "<script>alert(1)</script>"],
  ["HTML attr", '"><img src=x onerror=alert(1)>'],
  ["SQL", "' OR 1=1; DROP TABLE guardrail; --"],
  ["SQL 2", "1' AND pg_sleep(5)--"],
  ["backslashes", "\\\\\\'\""],
  ["percent", "%00%27%22%2e%2e%2f"],
  ["path traversal", "../../../etc/passwd"],
  ["windows traversal", "..\\..\\windows\\win.ini"],
  ["template", "${jndi:ldap://x}{{7*7}}"],
  ["__proto__", "__proto__"],
  ["null word", "null"],
  ["negative", "-1"],
  ["huge number", "1e308"],
  ["object", "[object Object]"],
];
const SHORT_NASTY = NASTY_STRINGS.filter(([n]) =>
  ["empty", "5,000 chars", "unicode", "NUL", "lone surrogate", "HTML", "SQL", "path traversal", "negative"].includes(n),
);

const ID_VALUES: [string, string][] = [
  ...NASTY_STRINGS.filter(([n]) => n !== "empty"),
  ["201 chars", "z".repeat(201)],
  ["dot", "."],
  ["dotdot", ".."],
  ["encoded traversal", "..%2f..%2fetc%2fpasswd"],
  ["zero", "0"],
  ["uuid-like", "00000000-0000-0000-0000-000000000000"],
  ["cuid-like", "clzzzzzzzzzzzzzzzzzzzzzzz"],
  ["colon", "a:b:c"],
];

const QUERY_VALUES: [string, string][] = [
  ...NASTY_STRINGS.filter(([n]) => n !== "5,000 chars"),
  ["3,000 chars", "q".repeat(3000)],
  ["zero", "0"],
  ["fraction", "1.5"],
  ["exponent", "1e3"],
  ["hex", "0x10"],
  ["20 digits", "99999999999999999999"],
  ["NaN", "NaN"],
  ["Infinity", "Infinity"],
  ["-0", "-0"],
  ["padded", " 5 "],
  ["trailing garbage", "5abc"],
  ["not a date", "not-a-date"],
  ["bad date", "2026-13-45T99:99:99Z"],
  ["year 0", "0000-01-01T00:00:00Z"],
  ["year 275760+", "+275761-01-01T00:00:00Z"],
];

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), "utf8").toString("base64url");
/** Cursors that decode to JSON of the wrong shape, or the right shape with values a query could trip on. */
const CURSORS: [string, string][] = [
  ["cursor: garbage", "!!!not-base64!!!"],
  ["cursor: base64 of text", Buffer.from("hello").toString("base64url")],
  ["cursor: JSON array", b64([1, 2, 3])],
  [
    "cursor: NUL id",
    b64({ id: "a\u0000b", createdAt: "2026-01-01T00:00:00.000Z", at: "2026-01-01T00:00:00.000Z", seq: 1, name: "a\u0000", k: "a\u0000" }),
  ],
  ["cursor: wrong types", b64({ id: 1, createdAt: 5, at: true, seq: "x", name: null, k: 1, t: 5 })],
  ["cursor: bad dates", b64({ id: "x", createdAt: "9999-99-99", at: "not-a-date", openedAt: "0000-00-00", t: "not-a-date", seq: -1e308 })],
  ["cursor: year 0 time", b64({ id: "x", t: "0000-01-01T00:00:00.000Z" })],
  // Hierarchy lists (matrix, tree) page by a sort key: an empty key, one past the length limit.
  ["cursor: empty sort key", b64({ k: "" })],
  ["cursor: sort key too long", b64({ k: "x".repeat(5001) })],
  ["cursor: huge numbers", b64({ id: "x", seq: 1e308, n: -1e308, createdAt: "2026-01-01T00:00:00.000Z" })],
  ["cursor: SQL", b64({ id: "' OR 1=1 --", name: "' OR 1=1 --", createdAt: "2026-01-01T00:00:00.000Z", seq: 1, k: "' OR 1=1 --" })],
];

/** JSON values of every type, for fields of some other type. */
const TYPED_VALUES: [string, unknown][] = [
  ["string", "some text"],
  ["number", 12345],
  ["negative", -1],
  ["fraction", 1.5],
  ["huge", 1e308],
  ["boolean", true],
  ["null", null],
  ["empty array", []],
  ["array", [1, "two", null]],
  ["empty object", {}],
  ["object", { a: 1 }],
];

export interface Js {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Js>;
  required?: string[];
  additionalProperties?: boolean | Js;
  items?: Js;
  maxLength?: number;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxItems?: number;
  format?: string;
  anyOf?: Js[];
  oneOf?: Js[];
  default?: unknown;
}

export const jsonSchemaOf = (s: z.ZodType): Js => z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Js;

function typesOf(s: Js): Set<string> {
  if (s.anyOf ?? s.oneOf) return new Set((s.anyOf ?? s.oneOf)!.flatMap((x) => [...typesOf(x)]));
  if (s.enum || s.const !== undefined) return new Set(["string"]);
  const t = s.type;
  if (!t) return new Set(["any"]);
  const ts = new Set(Array.isArray(t) ? t : [t]);
  if (ts.has("integer")) ts.add("number");
  return ts;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Values that are wrong for one property: other types, out of range, too long, not an option. */
export function wrongValues(s: Js, full: boolean): [string, unknown][] {
  const ts = typesOf(s);
  if (ts.has("any")) return [];
  const out: [string, unknown][] = TYPED_VALUES.filter(([, v]) => !ts.has(jsonType(v)) && !(jsonType(v) === "number" && ts.has("integer")));
  if (ts.has("string")) {
    if (s.maxLength !== undefined) out.push([`${s.maxLength + 1} chars (max ${s.maxLength})`, "x".repeat(s.maxLength + 1)]);
    if (s.minLength) out.push(["too short", ""]);
    if (full) out.push(["200,000 chars", "x".repeat(200_000)]);
    if (s.enum)
      out.push(
        ["not an option", "not-an-option"],
        ["option in capitals", String(s.enum[0]).toUpperCase() + "X"],
        ["option with a space", ` ${String(s.enum[0])}`],
      );
    if (s.format === "email") out.push(["not an email", "not-an-email"], ["email with markup", "<a>@x"]);
    if (s.format === "date-time") out.push(["not a date", "not-a-date"], ["impossible date", "2026-13-45T99:99:99Z"]);
    for (const [n, v] of full ? NASTY_STRINGS : SHORT_NASTY) out.push([n, v]);
  }
  if (ts.has("number")) {
    const t = s.type;
    const integer = t === "integer" || (Array.isArray(t) && t.includes("integer"));
    if (s.minimum !== undefined) out.push([`below minimum ${s.minimum}`, s.minimum - 1]);
    if (s.maximum !== undefined) out.push([`above maximum ${s.maximum}`, s.maximum + 1]);
    if (integer) out.push(["not an integer", 2.5]);
    out.push(["-1e308", -1e308], ["numeric string", "42"]);
  }
  if (ts.has("array")) {
    if (s.maxItems !== undefined)
      out.push([`${s.maxItems + 1} items (max ${s.maxItems})`, Array.from({ length: s.maxItems + 1 }, (_, i) => `item-${i}`)]);
    out.push(["array of nulls", [null, null]], ["array of objects", [{ a: 1 }]]);
  }
  if (ts.has("object")) out.push(["array instead of object", [["k", "v"]]], ["deep object", nest(40)], ["NUL key", { "a\u0000": "x" }]);
  if (ts.has("boolean")) out.push(["string 'true'", "true"], ["1", 1]);
  return out;
}

const nest = (depth: number): unknown => {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

export function setPath(obj: Record<string, unknown>, path: string[], value: unknown, remove = false): Record<string, unknown> {
  const out = structuredClone(obj);
  let cur: Record<string, unknown> = out;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (!next || typeof next !== "object") cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else cur[last] = value;
  return out;
}

/**
 * Property paths of a body schema (nested objects to depth 3), with their schemas; with `intoArrays`,
 * the first element of arrays of objects too (path segment "0").
 */
export function propertyPaths(
  s: Js,
  prefix: string[] = [],
  depth = 0,
  intoArrays = false,
): { path: string[]; schema: Js; required: boolean; parent: Js }[] {
  const out: { path: string[]; schema: Js; required: boolean; parent: Js }[] = [];
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const path = [...prefix, k];
    out.push({ path, schema: v, required: (s.required ?? []).includes(k), parent: s });
    if (v.properties && depth < 3) out.push(...propertyPaths(v, path, depth + 1, intoArrays));
    if (intoArrays && v.items?.properties && depth < 3) out.push(...propertyPaths(v.items, [...path, "0"], depth + 1, intoArrays));
  }
  return out;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v), "utf8");
/** A body with one member written as raw JSON text (what JSON.stringify cannot produce: a literal __proto__ key, 50,000-deep nesting). */
const withRawField = (body: Record<string, unknown>, member: string) =>
  Buffer.from(Object.keys(body).length ? `{${member},${JSON.stringify(body).slice(1)}` : `{${member}}`);
const JSON_HEADERS = { "content-type": "application/json" };

export interface CampaignKeys {
  A: World;
  /** Another workspace: its ids must answer 404 to A's members. */
  B: World;
}

export interface CampaignOptions {
  /** Include cases only an HTTP server can answer (405, unknown paths, raw paths, chunked bodies). */
  http: boolean;
  /** The full corpus (several thousand requests) or a reduced one for CI (several hundred). */
  full: boolean;
}

export interface Campaign {
  cases: BadCase[];
  /** Generated variations a write route would accept (valid by accident): not sent. */
  excluded: { route: string; note: string }[];
}

/** Would a write route accept this body as valid input? Mirrors readJson + parseBody (apps/web/src/server). */
function wouldAccept(r: ApiRoute, c: BadCase): boolean {
  if (!r.body) return false;
  const ct = c.headers["content-type"];
  if (ct !== undefined && !/^application\/json\s*(;|$)/i.test(ct)) return false;
  const raw = c.body ?? Buffer.alloc(0);
  if (raw.length > 1024 * 1024) return false;
  const text = new TextDecoder().decode(raw);
  let parsed: unknown = {};
  if (text.trim()) {
    try {
      parsed = JSON.parse(text);
    } catch {
      return false;
    }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return false;
  if (unstorableString(parsed, [])) return false;
  return r.body.safeParse(parsed).success;
}

function queryString(q: Record<string, string>): [string, string][] {
  return Object.entries(q);
}

export function buildCampaign(k: CampaignKeys, o: CampaignOptions): Campaign {
  const { A, B } = k;
  const cases: BadCase[] = [];
  const excluded: { route: string; note: string }[] = [];
  const owner = A.members.owner.key;

  const base = (r: ApiRoute, over: Partial<BadCase> & { note: string; category: string; expect: Expect }): BadCase => {
    const body = r.body ? VALID_BODY[routeKey(r)]!(A) : undefined;
    return {
      route: routeKey(r),
      method: r.method,
      template: r.path,
      params: hasId(r) ? { id: idFor(A, r.path) } : {},
      query: queryString(VALID_QUERY[routeKey(r)]?.(A) ?? {}),
      headers: { "x-api-key": owner, ...(body ? JSON_HEADERS : {}) },
      ...(body ? { body: json(body) } : {}),
      ...over,
    };
  };
  /** Adds a case, unless it is a write the server would accept (then it is excluded, not sent). */
  const add = (r: ApiRoute, c: BadCase, semantic = false) => {
    if (
      !semantic &&
      isWrite(r) &&
      c.headers["x-api-key"] === owner &&
      c.params.id === (hasId(r) ? idFor(A, r.path) : undefined) &&
      wouldAccept(r, c)
    ) {
      excluded.push({ route: c.route, note: c.note });
      return;
    }
    cases.push(c);
  };

  const guarded = API_ROUTES.filter((r) => !r.public);
  const roles: Role[] = ["owner", "admin", "author", "approver", "viewer"];

  for (const r of guarded) {
    // --- authentication ---------------------------------------------------------------------------
    const keyVariants: [string, Record<string, string>][] = [
      ["no credentials", {}],
      ["unknown token", { "x-api-key": "ppt_notarealtokennotarealtokennotarealtokennotarealtoken" }],
      ["empty token", { "x-api-key": " " }],
      ["10,000-char token", { "x-api-key": "k".repeat(10_000) }],
      ["latin-1 token", { "x-api-key": "ÿþý\u00a0" }],
      ["token with a suffix", { "x-api-key": `${owner}x` }],
      // Bearer is a way to send a token (issue 20): each malformed or conflicting form is refused, never ignored.
      ["bearer token with a suffix", { authorization: `Bearer ${owner}x` }],
      ["garbage session cookie", { cookie: "better-auth.session_token=garbage.signature" }],
      ["SQL in session cookie", { cookie: "better-auth.session_token=' OR 1=1 --" }],
      ["basic scheme with a real token", { authorization: `Basic ${Buffer.from(`${owner}:`).toString("base64")}` }],
      ["bearer and x-api-key disagree", { authorization: `Bearer ${owner}`, "x-api-key": "ppt_notarealtokennotarealtoken" }],
      ["bearer without a token", { authorization: "Bearer" }],
    ];
    for (const [note, h] of o.full ? keyVariants : keyVariants.filter((_, i) => i % 3 === 0)) {
      // A cookie on a write without an Origin is refused as cross-site (403) before the session is looked at.
      const c = base(r, { category: "unauthenticated", note, expect: h.cookie && r.method !== "GET" ? "4xx" : "401" });
      const { "x-api-key": _drop, ...rest } = c.headers;
      add(r, { ...c, headers: { ...rest, ...h } }, true);
    }
    if (r.method !== "GET") {
      // A cookie (ambient credential) on a write from another origin is refused before anything else.
      const c = base(r, { category: "cross-site", note: "cookie from another origin", expect: "4xx" });
      const { "x-api-key": _drop, ...rest } = c.headers;
      add(r, { ...c, headers: { ...rest, cookie: "better-auth.session_token=x.y", origin: "https://evil.example" } }, true);
    }

    // --- wrong role, other workspace -------------------------------------------------------------
    if (r.permission) {
      for (const role of roles.filter((x) => !can(x, r.permission![0], r.permission![1] as never))) {
        const c = base(r, { category: "wrong role", note: role, expect: "403" });
        add(r, { ...c, headers: { ...c.headers, "x-api-key": A.members[role].key } }, true);
      }
    }
    if (hasId(r)) {
      add(
        r,
        base(r, { category: "other workspace", note: "another workspace's id", expect: "404", params: { id: idFor(B, r.path, true) } }),
        true,
      );
      // B's owner token against A's id, the other way round (the catalog is the same for everyone).
      const c = base(r, { category: "other workspace", note: "another workspace's token", expect: "404" });
      if (!r.path.startsWith("/catalog")) add(r, { ...c, headers: { ...c.headers, "x-api-key": B.members.owner.key } }, true);
    }

    // --- bad path ids ------------------------------------------------------------------------------
    if (hasId(r)) {
      const ids = o.full
        ? ID_VALUES
        : ID_VALUES.filter(([n]) =>
            ["5,000 chars", "NUL", "SQL", "path traversal", "HTML", "unicode", "dotdot", "encoded traversal"].includes(n),
          );
      for (const [note, id] of ids) {
        // A client cannot put a lone surrogate in a URL; the rest of the string it can.
        const clean = id.replace(/[\ud800-\udfff]/g, "");
        if (!clean) continue;
        // "." and ".." are resolved by the URL parser: the request names another path (Next redirects to it, 308).
        add(
          r,
          base(r, { category: "bad path id", note, expect: clean === "." || clean === ".." ? "any" : "404", params: { id: clean } }),
          true,
        );
      }
    }

    // --- bad query parameters ------------------------------------------------------------------------
    if (r.query) {
      const props = Object.keys(jsonSchemaOf(r.query).properties ?? {});
      const valid = VALID_QUERY[routeKey(r)]?.(A) ?? {};
      for (const p of props) {
        const values = [...(o.full ? QUERY_VALUES : QUERY_VALUES.filter((_, i) => i % 4 === 0)), ...(p === "cursor" ? CURSORS : [])];
        for (const [note, v] of values) {
          // What reaches the server: a URL cannot carry a lone surrogate, clients send U+FFFD instead.
          const q = { ...valid, [p]: Buffer.from(v, "utf8").toString("utf8") };
          const ok = r.query.safeParse(q).success && !unstorableString(q, []);
          // A write that would go through (DELETE /connections/{id}?confirm=<its name>) is never generated: corpus values are not names.
          add(
            r,
            base(r, { category: "bad query", note: `${p}: ${note}`, expect: ok ? "any" : "4xx", field: p, query: queryString(q) }),
            true,
          );
        }
        if (
          r.query.safeParse(valid).success &&
          Object.prototype.hasOwnProperty.call(valid, p) &&
          jsonSchemaOf(r.query).required?.includes(p)
        ) {
          const { [p]: _gone, ...rest } = valid;
          add(r, base(r, { category: "bad query", note: `${p}: missing`, expect: "4xx", field: p, query: queryString(rest) }), true);
        }
        // Repeated parameter: one of the values is used (the last), never a mix of both.
        add(
          r,
          base(r, {
            category: "bad query",
            note: `${p}: repeated`,
            expect: "any",
            field: p,
            query: [...queryString(valid).filter(([x]) => x !== p), [p, "-1"], [p, "1"]],
          }),
          true,
        );
      }
      add(
        r,
        base(r, {
          category: "bad query",
          note: "unknown parameters",
          expect: "any",
          query: [...queryString(valid), ["zzz", "1"], ["__proto__[x]", "1"], ["limit[]", "1"]],
        }),
        true,
      );
    }

    // --- bodies generated from the schema -----------------------------------------------------------
    if (r.body) {
      const validBody = VALID_BODY[routeKey(r)]!(A);
      const schema = jsonSchemaOf(r.body);
      for (const { path, schema: ps, required } of propertyPaths(schema)) {
        const field = path.join(".");
        const start = ALTERNATE_BODY[routeKey(r)]?.[path[0]!]?.(A) ?? validBody;
        for (const [note, v] of wrongValues(ps, o.full)) {
          const body = setPath(start, path, v);
          // A read-only POST may accept an odd but valid value (a label expression that selects nothing).
          const expect: Expect = !isWrite(r) && r.body.safeParse(body).success && !unstorableString(body, []) ? "any" : "4xx";
          add(r, base(r, { category: "bad body field", note: `${field}: ${note}`, expect, field, body: json(body) }));
        }
        if (required)
          add(
            r,
            base(r, {
              category: "bad body field",
              note: `${field}: missing`,
              expect: "4xx",
              field,
              body: json(setPath(start, path, undefined, true)),
            }),
          );
      }
      for (const { path, schema: ps } of [{ path: [] as string[], schema }, ...propertyPaths(schema)]) {
        if (ps.additionalProperties !== false) continue;
        const field = [...path, "zzUnknownField"].join(".");
        add(
          r,
          base(r, {
            category: "bad body field",
            note: `${field}: extra field`,
            expect: "4xx",
            field,
            body: json(setPath((path[0] && ALTERNATE_BODY[routeKey(r)]?.[path[0]]?.(A)) || validBody, [...path, "zzUnknownField"], 1)),
          }),
        );
      }
      add(
        r,
        base(r, {
          category: "bad body field",
          note: "__proto__ key",
          expect: "4xx",
          field: "__proto__",
          body: withRawField(validBody, '"__proto__":{"role":"owner"}'),
        }),
      );
      add(
        r,
        base(r, {
          category: "bad body field",
          note: "constructor key",
          expect: "4xx",
          field: "constructor",
          body: json({ ...validBody, constructor: { prototype: { admin: true } } }),
        }),
      );

      // --- malformed bodies ------------------------------------------------------------------------------
      // The field a refusal must name: "body" where the body as a whole is wrong; otherwise (undefined) whichever field the server found first.
      const raw: [string, Buffer, string?][] = [
        ["not JSON", Buffer.from("{ not json"), "body"],
        ["single quotes", Buffer.from("{'a': 1}"), "body"],
        ["trailing comma", Buffer.from('{"a": 1,}'), "body"],
        ["truncated", Buffer.from(JSON.stringify(validBody).slice(0, -3)), "body"],
        ["NaN", Buffer.from("NaN"), "body"],
        ["undefined", Buffer.from("undefined"), "body"],
        ["null", Buffer.from("null"), "body"],
        ["string", Buffer.from('"a string"'), "body"],
        ["number", Buffer.from("42"), "body"],
        ["true", Buffer.from("true"), "body"],
        ["array", Buffer.from("[1, 2]"), "body"],
        ["array of the valid body", json([validBody]), "body"],
        ["raw NUL byte", Buffer.from('{"a":"\u0000"}')],
        ["NUL escape", Buffer.from('{"zz":"\\u0000"}')],
        ["lone surrogate escape", Buffer.from('{"zz":"\\ud800"}')],
        ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
        ["UTF-16 body", Buffer.from(JSON.stringify(validBody), "utf16le"), "body"],
        ["binary", Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256)), "body"],
        ["1e400", Buffer.from('{"zz": 1e400}')],
        ["100,000-deep array", Buffer.from("[".repeat(100_000) + "]".repeat(100_000))],
        ["100,000-deep object", Buffer.from('{"a":'.repeat(100_000) + "1" + "}".repeat(100_000))],
        ["deep array in a field", withRawField(validBody, `"zz":${"[".repeat(50_000)}${"]".repeat(50_000)}`)],
        ["20,000 keys", json(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])))],
        ["2 MiB body", Buffer.from(JSON.stringify({ ...validBody, zz: "x".repeat(2 * 1024 * 1024) })), "body"],
        ["HTML body", Buffer.from("<html><body>hi</body></html>"), "body"],
        ["form body", Buffer.from("name=x&role=owner"), "body"],
      ];
      const rawCases = o.full
        ? raw
        : raw.filter(([n]) =>
            [
              "not JSON",
              "null",
              "array",
              "raw NUL byte",
              "invalid UTF-8",
              "100,000-deep array",
              "100,000-deep object",
              "deep array in a field",
              "20,000 keys",
              "2 MiB body",
            ].includes(n),
          );
      for (const [note, body, field] of rawCases)
        add(r, base(r, { category: "malformed body", note, expect: "4xx", ...(field ? { field } : {}), body }));
      if (o.http)
        add(
          r,
          base(r, {
            category: "malformed body",
            note: "3 MiB chunked (no content-length)",
            expect: "4xx",
            field: "body",
            body: Buffer.from(JSON.stringify({ ...validBody, zz: "x".repeat(3 * 1024 * 1024) })),
            chunked: true,
          }),
        );

      // --- content types ---------------------------------------------------------------------------------
      for (const ct of o.full
        ? [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/xml",
            "application/jsonx",
            "text/html; charset=utf-8",
          ]
        : ["text/plain", "application/x-www-form-urlencoded"]) {
        add(
          r,
          base(r, {
            category: "content type",
            note: ct,
            expect: "4xx",
            field: "content-type",
            headers: { "x-api-key": owner, "content-type": ct },
          }),
        );
      }
    }
  }

  // --- semantic mistakes the schema cannot see -----------------------------------------------------
  const route = (m: ApiRoute["method"], p: string) => API_ROUTES.find((x) => x.method === m && x.path === p)!;
  const semantic = (
    m: ApiRoute["method"],
    p: string,
    note: string,
    body: Record<string, unknown>,
    field: string,
    over: Partial<BadCase> = {},
  ) => {
    const r = route(m, p);
    add(r, base(r, { category: "semantic", note, expect: "4xx", field, body: json(body), ...over }), true);
  };
  const g = VALID_BODY["POST /guardrails"]!(A);
  semantic("POST", "/guardrails", "unknown control", { ...g, controlId: "no-such-control" }, "controlId");
  semantic("POST", "/guardrails", "control id with SQL", { ...g, controlId: "' OR 1=1 --" }, "controlId");
  semantic("POST", "/guardrails", "unknown parameter", { ...g, params: { zz: 1 } }, "params");
  semantic("POST", "/guardrails", "deep parameter", { ...g, params: { zz: nest(200) } }, "params");
  semantic("POST", "/guardrails", "another workspace's node", { ...g, scope: { nodeIds: [B.nodes.p1] } }, "scope.nodeIds");
  semantic("POST", "/guardrails", "unknown node", { ...g, scope: { nodeIds: ["no-such-node"] } }, "scope.nodeIds");
  semantic("POST", "/guardrails", "bad label expression", { ...g, scope: { labels: "env in prod" } }, "scope.labels");
  semantic(
    "POST",
    "/guardrails",
    "label expression nested 500 deep",
    { ...g, scope: { labels: "(".repeat(490) + "a=b" + ")".repeat(490) } },
    "scope.labels",
  );
  semantic("PATCH", "/guardrails/{id}", "another workspace's node", { scope: { nodeIds: [B.nodes.p1] } }, "scope.nodeIds", {
    params: { id: A.guardrailId },
  });
  // Where impact replays read an AWS organisation's history and its principals' tags.
  const conn = { params: { id: A.connectionId } };
  semantic(
    "PATCH",
    "/connections/{id}",
    "trail bucket not an S3 name",
    { auditSource: { orgTrail: { bucket: "Bad_Bucket", regions: ["us-east-1"] } } },
    "auditSource.orgTrail.bucket",
    conn,
  );
  semantic(
    "PATCH",
    "/connections/{id}",
    "Config aggregator name with a space",
    { auditSource: { configAggregator: { name: "org agg", region: "us-east-1" } } },
    "auditSource.configAggregator.name",
    conn,
  );
  semantic(
    "PATCH",
    "/connections/{id}",
    "Config aggregator in no Region",
    { auditSource: { configAggregator: { name: "org-agg", region: "earth" } } },
    "auditSource.configAggregator.region",
    conn,
  );
  const e = VALID_BODY["POST /exemptions"]!(A);
  semantic("POST", "/exemptions", "another workspace's guardrail", { ...e, guardrailId: B.guardrailId }, "guardrailId");
  semantic("POST", "/exemptions", "another workspace's node", { ...e, nodeId: B.nodes.p1 }, "nodeId");
  semantic("POST", "/exemptions", "unknown guardrail", { ...e, guardrailId: "no-such-guardrail" }, "guardrailId");
  semantic("POST", "/exemptions", "expired", { ...e, expiresAt: "2001-01-01T00:00:00.000Z" }, "expiresAt");
  semantic("POST", "/exemptions", "expires in the year 9999", { ...e, expiresAt: "9999-12-31T23:59:59.000Z" }, "expiresAt");
  semantic("POST", "/exemptions", "expires in the year 0", { ...e, expiresAt: "0000-01-01T00:00:00.000Z" }, "expiresAt");
  // Principal exemptions name exactly one identity of a cloud that can spare it.
  const noNode = Object.fromEntries(Object.entries(e).filter(([k]) => k !== "nodeId"));
  const principal = (cloud: string, id: string) => ({ ...noNode, principal: { cloud, id } });
  semantic("POST", "/exemptions", "neither node nor principal", noNode, "nodeId");
  semantic(
    "POST",
    "/exemptions",
    "both node and principal",
    { ...e, principal: { cloud: "aws", id: "arn:aws:iam::123456789012:role/bot" } },
    "nodeId",
  );
  semantic("POST", "/exemptions", "AWS role ARN with a wildcard", principal("aws", "arn:aws:iam::*:role/*"), "principal.id");
  semantic("POST", "/exemptions", "AWS session ARN", principal("aws", "arn:aws:sts::123456789012:assumed-role/bot/s1"), "principal.id");
  semantic("POST", "/exemptions", "GCP principal set", principal("gcp", "principalSet://goog/group/all@example.com"), "principal.id");
  semantic("POST", "/exemptions", "OCI group OCID", principal("oci", "ocid1.group.oc1..aaaaaaaaexample"), "principal.id");
  semantic("POST", "/exemptions", "Azure principal", principal("azure", "00000000-0000-0000-0000-000000000001"), "principal.cloud");
  semantic("POST", "/exemptions", "unknown cloud", principal("ibm", "x"), "principal.cloud");
  // Year 0 is a valid ISO date that PostgreSQL's timestamp cannot hold (was a 500).
  for (const p of ["/audit", "/audit/export"]) {
    for (const q of ["from", "to"]) {
      const r = route("GET", p);
      add(
        r,
        base(r, { category: "semantic", note: `${q} in the year 0`, expect: "4xx", field: q, query: [[q, "0000-01-01T00:00:00Z"]] }),
        true,
      );
    }
  }
  const c = VALID_BODY["POST /connections"]!(A);
  semantic(
    "POST",
    "/connections",
    "credentials of the wrong shape",
    { ...c, credentials: { kind: "assume-role", roleArn: "arn:aws:iam::12:role/../../x", externalId: A.externalId } },
    "credentials.roleArn",
  );
  semantic(
    "POST",
    "/connections",
    "another workspace's external id",
    { ...c, credentials: { ...(c.credentials as object), externalId: B.externalId } },
    "credentials.externalId",
  );
  semantic(
    "POST",
    "/connections",
    "facts of the wrong shape",
    { ...c, facts: { orgId: "' OR 1=1", managementAccountId: "12" } },
    "facts.orgId",
  );
  semantic("POST", "/connections", "SSRF endpoint", { ...c, endpoint: "file:///etc/passwd" }, "endpoint");
  // SSRF: an endpoint is where the worker sends credentials and reads answers back. Only the cloud's own
  // API hosts (or the operator's PARAPET_ENDPOINT_ALLOWLIST) pass; these forms are never allowlisted.
  for (const endpoint of SSRF_ENDPOINTS) semantic("POST", "/connections", `SSRF endpoint ${endpoint}`, { ...c, endpoint }, "endpoint");
  const azure = {
    cloud: "azure",
    name: "Azure SSRF",
    credentials: {
      kind: "client-secret",
      tenantId: AZURE_TENANT,
      clientId: "5e0c7a52-3b1f-4d8e-a6c9-0f2b4d6e8a13",
      clientSecret: "s3cret-value",
    },
    facts: { tenantId: AZURE_TENANT, rootManagementGroupId: AZURE_TENANT },
  };
  for (const authorityHost of [
    "https://127.0.0.2",
    "https://[::1]",
    "https://169.254.169.254",
    "https://login.microsoftonline.com.evil.example",
    "https://evil.example",
  ]) {
    semantic(
      "POST",
      "/connections",
      `SSRF authority ${authorityHost}`,
      { ...azure, credentials: { ...azure.credentials, authorityHost } },
      "credentials.authorityHost",
    );
  }
  semantic("PATCH", "/members/{id}", "demote the last owner", { role: "viewer" }, "role", { params: { id: A.members.owner.memberId } });
  semantic("POST", "/tokens", "token above the caller's role", { name: "escalate", role: "owner" }, "role", {
    headers: { "x-api-key": A.members.admin.key, ...JSON_HEADERS },
  });
  {
    const r = route("DELETE", "/members/{id}");
    add(r, base(r, { category: "semantic", note: "remove the last owner", expect: "4xx", params: { id: A.members.owner.memberId } }), true);
  }

  // --- cloud event webhook (HMAC-authenticated, not in the route table) ------------------------------
  const ev = (note: string, params: Record<string, string>, body: Buffer, headers: Record<string, string> = {}) =>
    cases.push({
      category: "event webhook",
      route: "POST /events/{cloud}/{connectionId}",
      method: "POST",
      template: "/events/{cloud}/{connectionId}",
      params,
      query: [],
      headers: { "content-type": "application/json", ...headers },
      body,
      expect: "4xx",
      note,
    });
  ev("unknown cloud", { cloud: "ibm", connectionId: A.connectionId }, json({}));
  ev("traversal connection id", { cloud: "aws", connectionId: "../../etc/passwd" }, json({}));
  ev("SQL connection id", { cloud: "aws", connectionId: "' OR 1=1 --" }, json({}));
  ev("no secret issued", { cloud: "aws", connectionId: A.connectionId }, json({ id: "e1" }));
  ev("forged signature", { cloud: "aws", connectionId: A.connectionId }, json({ id: "e1" }), {
    "x-parapet-timestamp": String(Math.floor(Date.now() / 1000)),
    "x-parapet-signature": "v1=" + "0".repeat(64),
  });
  ev("wrong cloud for the connection", { cloud: "gcp", connectionId: A.connectionId }, json({}));
  ev("oversize event", { cloud: "aws", connectionId: A.connectionId }, Buffer.from("x".repeat(300 * 1024)));

  // --- HTTP-only: methods, unknown paths, unnormalised paths -------------------------------------------
  if (o.http) {
    const byPath = new Map<string, Set<string>>();
    for (const r of API_ROUTES) (byPath.get(r.path) ?? byPath.set(r.path, new Set()).get(r.path)!).add(r.method);
    for (const [path, methods] of byPath) {
      for (const m of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((x) => !methods.has(x))) {
        cases.push({
          category: "method not allowed",
          route: `${m} ${path}`,
          method: m,
          template: path,
          params: path.includes("{id}") ? { id: idFor(A, path) } : {},
          query: [],
          headers: { "x-api-key": owner, ...(m === "GET" ? {} : JSON_HEADERS) },
          ...(m === "GET" ? {} : { body: json({}) }),
          expect: "405",
          note: m,
          httpOnly: true,
        });
      }
    }
    // [note, path, expectation, resolves outside /api/v1]. Next redirects (308) to the normalised form of
    // a path with an empty segment, a trailing slash or backslashes; paths outside /api/v1 are console pages.
    const rawPaths: [string, string, Expect, boolean?][] = [
      ["unknown route", "/api/v1/no-such-thing", "404"],
      ["unknown nested route", "/api/v1/guardrails/x/y/z", "404"],
      ["dot-dot segments", "/api/v1/guardrails/../../../etc/passwd", "4xx", true],
      ["encoded dot-dot", "/api/v1/guardrails/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "4xx"],
      ["double-encoded", "/api/v1/guardrails/%252e%252e%252f", "4xx"],
      ["encoded NUL", "/api/v1/guardrails/%00", "4xx"],
      ["bad percent-encoding", "/api/v1/guardrails/%zz%", "4xx"],
      ["overlong UTF-8", "/api/v1/guardrails/%c0%ae%c0%ae", "4xx"],
      ["double slash", "/api/v1//guardrails", "any"],
      ["trailing slash", "/api/v1/guardrails/", "any"],
      ["version 2", "/api/v2/guardrails", "4xx", true],
      ["upper case", "/API/V1/GUARDRAILS", "4xx", true],
      ["semicolon", "/api/v1/guardrails;jsessionid=x", "4xx"],
      ["backslash", "/api/v1/guardrails\\..\\..\\x", "any", true],
    ];
    for (const [note, rawPath, expect, outsideApi] of rawPaths) {
      cases.push({
        category: "raw path",
        route: `GET ${rawPath}`,
        method: "GET",
        template: "",
        rawPath,
        params: {},
        query: [],
        headers: { "x-api-key": owner },
        expect,
        note,
        httpOnly: true,
        ...(outsideApi ? { outsideApi } : {}),
      });
    }
    // A URL the size of the server's header limit: Node refuses it before Next sees it.
    cases.push({
      category: "raw path",
      route: "GET /api/v1/audit",
      method: "GET",
      template: "/audit",
      params: {},
      query: [["q", "x".repeat(12_000)]],
      headers: { "x-api-key": owner },
      expect: "any",
      note: "12,000-char query",
      httpOnly: true,
    });
  }
  return { cases: o.full ? cases : sample(cases), excluded };
}

/** Per route and category, at most this many cases in the reduced campaign. */
const REDUCED_CAP: Record<string, number> = {
  unauthenticated: 1,
  "cross-site": 1,
  "wrong role": 1,
  "other workspace": 1,
  "bad path id": 2,
  "bad query": 5,
  "bad body field": 7,
  "malformed body": 4,
  "content type": 1,
};

/**
 * The reduced campaign: up to REDUCED_CAP cases per route and category, evenly spread and rotated by
 * route, so every kind of case still reaches some route while the total stays in the hundreds.
 */
function sample(cases: BadCase[]): BadCase[] {
  const groups = new Map<string, BadCase[]>();
  for (const c of cases)
    (groups.get(`${c.route}|${c.category}`) ?? groups.set(`${c.route}|${c.category}`, []).get(`${c.route}|${c.category}`)!).push(c);
  const out: BadCase[] = [];
  let rotation = 0;
  for (const [key, g] of groups) {
    const cap = REDUCED_CAP[key.split("|")[1]!];
    if (cap === undefined || g.length <= cap) {
      out.push(...g);
      continue;
    }
    const picked = new Set<number>();
    for (let j = 0; j < cap; j++) picked.add((Math.floor((j * g.length) / cap) + rotation) % g.length);
    rotation += 1;
    out.push(...g.filter((_, i) => picked.has(i)));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Judging.

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

export interface Verdict {
  c: BadCase;
  status: number;
  /** Stack frames, internal paths, ORM/driver text or a secret found in the answer. */
  leak: string | null;
  /** 4xx: a JSON { error: { code, message } } (or a 405 naming the allowed methods). */
  clear: boolean;
  /** 400/422: the message starts with a field name, and it is the field the case made wrong. */
  namesField: boolean | null;
  /** The status is not the one the case expects (401, 403, 404, 405 or any 4xx). */
  unexpected: boolean;
  /** The start of the answer, for reports. */
  text: string;
}

const LEAK_PATTERNS: [string, RegExp][] = [
  ["stack frame", /\bat (?:async )?[^\s()]*\s*\(?(?:file:\/\/|\/|node:|webpack)[^)\s]*:\d+:\d+/],
  ["internal path", /node_modules|\/work\/|webpack-internal|\.next\/server|\/src\/app\//],
  [
    "ORM or driver text",
    /PrismaClient|Invalid `prisma|prisma\.\w+\.\w+\(|violates (?:not-null|foreign key|unique) constraint|invalid byte sequence|stack depth limit/i,
  ],
  ["raw exception", /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|ZodError)\b|Maximum call stack|Cannot read properties of/],
];

function requestText(c: BadCase): string {
  return [
    c.rawPath ?? "",
    ...Object.values(c.params),
    ...c.query.flat(),
    ...Object.values(c.headers),
    c.body && c.body.length < 300_000 ? c.body.toString("utf8") : "",
  ].join("\n");
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; issues?: { field?: unknown }[] };
}

const related = (named: string, field: string) => named === field || named.startsWith(`${field}.`) || field.startsWith(`${named}.`);

/** A stack frame, internal path, ORM/driver text or secret in `text` that `sent` (the request) did not carry itself. */
export function findLeak(text: string, sent: string, secrets: string[]): string | null {
  for (const [what, re] of LEAK_PATTERNS) {
    const m = re.exec(text);
    // Text the request itself carried (a reflected id) is not a leak.
    if (m && !sent.includes(m[0])) return `${what}: ${text.slice(Math.max(0, m.index - 60), m.index + 120)}`;
  }
  for (const s of secrets) if (s && text.includes(s) && !sent.includes(s)) return `secret: ${s.slice(0, 6)}…`;
  return null;
}

export function judge(c: BadCase, a: Answer, secrets: string[]): Verdict {
  const leak = findLeak(a.text, requestText(c), secrets);

  let clear = true;
  let namesField: boolean | null = null;
  if (a.status >= 400 && a.status < 500) {
    let body: ErrorBody | null = null;
    try {
      body = JSON.parse(a.text) as ErrorBody | null;
    } catch {
      body = null;
    }
    const msg = typeof body?.error?.message === "string" ? body.error.message : "";
    clear = typeof body?.error?.code === "string" && msg.length >= 5;
    if (!clear && c.outsideApi) clear = true;
    if (!clear && a.status === 405 && a.headers.get("allow")) clear = true;
    if (a.status === 400 || a.status === 422) {
      const prefix = /^([^\s:]+): /.exec(msg)?.[1];
      const fields = [prefix, ...(body?.error?.issues ?? []).map((i) => (typeof i.field === "string" ? i.field : undefined))].filter(
        (x): x is string => Boolean(x),
      );
      namesField = c.field ? fields.some((f) => related(f, c.field!)) : fields.length > 0;
    }
  }
  const s = a.status;
  const unexpected = c.expect === "any" ? s >= 500 : c.expect === "4xx" ? !(s >= 400 && s < 500) : String(s) !== c.expect;
  return { c, status: s, leak, clear, namesField, unexpected, text: a.text.slice(0, 300) };
}

export interface Summary {
  requests: number;
  byClass: Record<string, number>;
  byStatus: Record<string, number>;
  fiveXX: Verdict[];
  leaks: Verdict[];
  unclear: Verdict[];
  /** 400/422 answers, and those naming the field. */
  fieldAnswers: number;
  fieldNamed: number;
  notNamed: Verdict[];
  unexpected: Verdict[];
  /** Writes answered 2xx: each changed data. */
  acceptedWrites: Verdict[];
  byCategory: Record<string, number>;
}

export function summarize(vs: Verdict[]): Summary {
  const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
  const field = vs.filter((v) => v.namesField !== null);
  const writeRoute = (v: Verdict) => {
    const r = API_ROUTES.find((x) => routeKey(x) === v.c.route);
    return r ? isWrite(r) : v.c.method !== "GET";
  };
  return {
    requests: vs.length,
    byClass: count(vs.map((v) => `${Math.floor(v.status / 100)}xx`)),
    byStatus: count(vs.map((v) => String(v.status))),
    fiveXX: vs.filter((v) => v.status >= 500),
    leaks: vs.filter((v) => v.leak),
    unclear: vs.filter((v) => !v.clear),
    fieldAnswers: field.length,
    fieldNamed: field.filter((v) => v.namesField).length,
    notNamed: field.filter((v) => !v.namesField),
    unexpected: vs.filter((v) => v.unexpected),
    acceptedWrites: vs.filter((v) => v.status >= 200 && v.status < 300 && writeRoute(v)),
    byCategory: count(vs.map((v) => v.c.category)),
  };
}

export const describeCase = (v: Verdict) =>
  `${v.c.category} · ${v.c.method} ${v.c.rawPath ?? v.c.template} · ${v.c.note.slice(0, 80)} → ${v.status}`;

// ---------------------------------------------------------------------------------------------------
// The data, fingerprinted.

export type SqlQuery = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Columns that a read rightly changes: better-auth stamps an API key's last use on every request.
 * Everything else of every table must be byte-identical after the campaign.
 */
const VOLATILE_COLUMNS: Record<string, string[]> = {
  apikey: ["lastRequest", "requestCount", "remaining", "lastRefillAt", "updatedAt"],
  // Any authenticated SCIM request may mark the token used (at most once a minute); it is no change of data.
  workspace_scim: ["lastUsedAt"],
};

/**
 * Row count and a content hash per table (md5 of each row's text, sorted), for the whole database or,
 * when `workspaceIds` is given, for the rows of those workspaces (tables with a workspace column).
 */
export async function fingerprint(q: SqlQuery, workspaceIds?: string[]): Promise<Record<string, { rows: number; hash: string }>> {
  const tables = await q(
    `SELECT c.table_name::text AS t, array_agg(c.column_name::text ORDER BY c.ordinal_position) AS cols FROM information_schema.columns c JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE '\\_prisma%' GROUP BY c.table_name ORDER BY c.table_name::text`,
  );
  const out: Record<string, { rows: number; hash: string }> = {};
  for (const row of tables) {
    const t = row.t as string;
    const cols = (row.cols as string[]).filter((x) => !(VOLATILE_COLUMNS[t] ?? []).includes(x));
    const wsCol = cols.find((x) => x === "workspaceId" || x === "organizationId");
    if (workspaceIds && !wsCol) continue;
    const where = workspaceIds ? `WHERE "${wsCol}" = ANY($1)` : "";
    const rowExpr = `md5(row(${cols.map((x) => `"${x}"`).join(", ")})::text)`;
    const r = await q(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(h, '' ORDER BY h), '')) AS hash FROM (SELECT ${rowExpr} AS h FROM "${t}" ${where}) x`,
      workspaceIds ? [workspaceIds] : [],
    );
    out[t] = { rows: r[0]!.n as number, hash: r[0]!.hash as string };
  }
  return out;
}

export function diffFingerprints(
  a: Record<string, { rows: number; hash: string }>,
  b: Record<string, { rows: number; hash: string }>,
): string[] {
  const out: string[] = [];
  for (const t of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[t]?.hash !== b[t]?.hash)
      out.push(`${t}: ${a[t]?.rows ?? 0} → ${b[t]?.rows ?? 0} rows, content ${a[t]?.hash === b[t]?.hash ? "same" : "changed"}`);
  }
  return out;
}
