/**
 * Bad-input campaign, full form (issue 10). Several thousand bad requests, generated from the route
 * table's zod schemas (the ones the OpenAPI document is built from) and written by hand (wrong types,
 * missing/extra fields, huge strings, deep nesting, invalid JSON, wrong content types, unicode/NUL,
 * SQL/HTML injection, bad ids and query parameters, out-of-range numbers and pagination, path
 * traversal, oversize bodies, methods not allowed, unauthenticated / wrong-role / other-workspace
 * access) sent over HTTP to a running web server, then the CLI fed bad arguments, environments and
 * guardrails files. Prints request counts by status class, 5xx (must be 0), leaks (stack traces,
 * internals, secrets — in answers and in the server's own log), how many 4xx name the field, and
 * whether the database (every table: row count + content hash) and the Redis queues are unchanged.
 *   pnpm exec tsx bench/bad-input.bench.ts [--no-build]
 * The server is `next start`; a stale production build is rebuilt first (unless --no-build, or the
 * build fails: then the route handler modules on node:http, and the report says so). No worker runs,
 * so anything a request queued would still be in Redis at the end.
 * The reduced form runs in CI: apps/web/src/app/api/v1/_tests/bad-input.int.test.ts.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Role } from "@parapet/core";
import { runCli } from "@parapet/core/cli/commands";
import { ZGuardrailsFile } from "@parapet/core/cli/guardrails-file";
import { createAuth } from "@parapet/core/identity/auth";
import { runStep, webBuildIsStale } from "../scripts/lib/processes.ts";
import {
  buildCampaign,
  describeCase,
  diffFingerprints,
  findLeak,
  fingerprint,
  jsonSchemaOf,
  judge,
  NASTY_STRINGS,
  propertyPaths,
  setPath,
  summarize,
  wrongValues,
  type Answer,
  type BadCase,
  type SqlQuery,
  type Verdict,
} from "../apps/web/src/app/api/v1/_tests/bad-input.ts";
import { populateWorld, type CallFn, type SeedMember, type SeedWorkspace } from "../apps/web/src/app/api/v1/_tests/world-seed.ts";
import { report, type Figure } from "./lib/report.ts";
import { load1, ROOT, startBenchStack } from "./lib/stack.ts";
import { startWebServer } from "./lib/web-server.ts";

const CONCURRENCY = 4;
const wall0 = performance.now();
const loadStart = load1();

// --- stack, build, server ------------------------------------------------------------------------------
const stack = await startBenchStack({ tag: "badinput", poolMax: 3 });
let serverNote = "";
if (!process.argv.includes("--no-build") && webBuildIsStale(ROOT)) {
  const code = await runStep(
    "building the web app (next build) so the server runs the current handlers",
    "pnpm",
    ["--filter", "@parapet/web", "run", "build"],
    {
      cwd: ROOT,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    },
  );
  if (code !== 0) serverNote = " (next build failed: fell back to the handler server)";
}
const preferNext = !serverNote && !webBuildIsStale(ROOT);
if (!preferNext && !serverNote) serverNote = " (production build stale: used the handler server)";
const authSecret = randomBytes(32).toString("base64url");
const web = await startWebServer(
  {
    databaseUrl: stack.databaseUrl,
    redisUrl: stack.redisUrl,
    redisPrefix: stack.redisPrefix,
    authSecret,
    masterKeyB64: stack.masterKeyB64,
  },
  { preferNext, quiet: true },
);
const url = new URL(web.base);
for (let i = 0; ; i++) {
  const s = await fetch(`${web.base}/api/v1/openapi.json`).then(
    (r) => r.status,
    () => 0,
  );
  if (s === 200) break;
  if (i > 240) throw new Error(`server did not answer (${s})`);
  await new Promise((r) => setTimeout(r, 500));
}

// --- two populated workspaces, seeded over HTTP like the integration tests seed in-process --------------
const auth = createAuth({ prisma: stack.prisma, baseURL: web.base, secret: authSecret });
async function workspace(name: string): Promise<SeedWorkspace> {
  const id = `ws${randomBytes(6).toString("hex")}`;
  await stack.prisma.workspace.create({ data: { id, name, slug: id, createdAt: new Date() } });
  const make = async (role: Role): Promise<SeedMember> => {
    const userId = `u${randomBytes(6).toString("hex")}`;
    const email = `${role}-${userId}@example.test`;
    await stack.prisma.user.create({ data: { id: userId, name: `${role} ${userId}`, email, emailVerified: true } });
    const memberId = `m${randomBytes(6).toString("hex")}`;
    await stack.prisma.member.create({ data: { id: memberId, organizationId: id, userId, role, createdAt: new Date() } });
    const k = await auth.api.createApiKey({
      body: { userId, name: `${role} key`, metadata: { workspaceId: id, role }, rateLimitEnabled: false },
    });
    return { userId, memberId, email, key: k.key };
  };
  const members = {} as Record<Role, SeedMember>;
  for (const r of ["owner", "admin", "author", "approver", "viewer"] as const) members[r] = await make(r);
  return { id, slug: id, members, admin2: await make("admin") };
}
const httpCall: CallFn = async (method, template, o = {}) => {
  const path = template.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(o.params?.[k] ?? "missing"));
  const u = new URL(`${web.base}/api/v1${path}`);
  for (const [k, v] of Object.entries(o.query ?? {})) u.searchParams.set(k, v);
  const res = await fetch(u, {
    method,
    headers: { ...(o.key ? { "x-api-key": o.key } : {}), ...(o.body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, text };
};
const A = await populateWorld(stack.prisma, await workspace("Alpha"), httpCall, "Alpha");
const B = await populateWorld(stack.prisma, await workspace("Bravo"), httpCall, "Bravo");

// --- fingerprints --------------------------------------------------------------------------------------
const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();
const sql: SqlQuery = async (q, params = []) => (await db.query(q, params)).rows as Record<string, unknown>[];
async function redisFingerprint(): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await stack.redis.scan(cursor, "MATCH", `${stack.redisPrefix}*`, "COUNT", 1000);
    cursor = next;
    for (const k of keys) {
      const type = await stack.redis.type(k);
      const size =
        type === "list"
          ? await stack.redis.llen(k)
          : type === "hash"
            ? await stack.redis.hlen(k)
            : type === "zset"
              ? await stack.redis.zcard(k)
              : type === "set"
                ? await stack.redis.scard(k)
                : type === "string"
                  ? await stack.redis.get(k)
                  : type === "stream"
                    ? await stack.redis.xlen(k)
                    : "?";
      out.push(`${k} ${type} ${size}`);
    }
  } while (cursor !== "0");
  return out.sort();
}
const dbBefore = await fingerprint(sql);
const redisBefore = await redisFingerprint();

// --- HTTP campaign -------------------------------------------------------------------------------------
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function send(c: BadCase): Promise<Answer> {
  const path = c.rawPath ?? `/api/v1${c.template.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(c.params[k] ?? "missing"))}`;
  const qs = c.query.length ? `?${new URLSearchParams(c.query).toString()}` : "";
  return new Promise((resolve) => {
    let req: ReturnType<typeof request>;
    try {
      req = request(
        {
          host: url.hostname,
          port: url.port,
          method: c.method,
          path: path + qs,
          agent,
          headers: { ...c.headers, ...(c.body && !c.chunked ? { "content-length": c.body.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => {
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), headers });
          });
        },
      );
    } catch (e) {
      // The client itself refuses (a header value it cannot put on the wire): nothing was sent.
      resolve({ status: -1, text: String(e), headers: new Headers() });
      return;
    }
    req.setTimeout(120_000, () => req.destroy(new Error("timeout")));
    // A server may answer an oversize body early and close the connection: that is an answer, not an error.
    req.on("error", (e) => resolve({ status: 0, text: String(e), headers: new Headers() }));
    if (c.body && c.chunked) for (let i = 0; i < c.body.length; i += 64 * 1024) req.write(c.body.subarray(i, i + 64 * 1024));
    else if (c.body) req.write(c.body);
    req.end();
  });
}

const { cases, excluded } = buildCampaign({ A, B }, { http: true, full: true });
const secrets = [
  authSecret,
  stack.masterKeyB64,
  stack.databaseUrl,
  A.members.owner.key,
  B.members.owner.key,
  A.members.viewer.key,
  B.members.viewer.key,
];
const verdicts: Verdict[] = [];
const notSent: BadCase[] = [];
const load0 = load1();
const t0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const a = await send(c);
      if (a.status === -1) notSent.push(c);
      else verdicts.push(judge(c, a, secrets));
    }
  }),
);
const httpSeconds = (performance.now() - t0) / 1000;
const loadHttp = `${load0} → ${load1()}`;
agent.destroy();

// --- CLI campaign --------------------------------------------------------------------------------------
interface CliCase {
  note: string;
  argv: string[];
  env?: Record<string, string | undefined>;
  /** "any": the input happens to be valid (exit 0 allowed); "fail": must exit non-zero. */
  expect: "any" | "fail";
  /** What the error must name (a path in the file, a flag, a variable), when known. */
  field?: string;
}
const dir = mkdtempSync(join(tmpdir(), "parapet-bad-cli-"));
mkdirSync(join(dir, "sub"));
let fileNo = 0;
const file = (text: string | Buffer, ext = "yaml") => {
  const p = join(dir, `f${fileNo++}.${ext}`);
  writeFileSync(p, text);
  return p;
};
const VALID = {
  version: 1,
  workspace: "acme",
  connections: {
    aws: {
      facts: { orgId: "o-acme0example", managementAccountId: "111122223333" },
      limits: { maxPoliciesPerTarget: 10, maxPolicyChars: 10240 },
      slotsTaken: { "ou-acme-prod0001": { SCP: 2 } },
    },
    gcp: {
      facts: { organizationId: "123456789012", directoryCustomerId: "C03acme00" },
      principals: { connector: ["principal://iam.googleapis.com/projects/-/serviceAccounts/parapet@acme.iam.gserviceaccount.com"] },
    },
  },
  guardrails: [
    { id: "no-leaving", control: "deny-leave-organization", mode: "enforce", version: 1, params: {}, scope: { aws: ["ou-acme-prod0001"] } },
  ],
};
{
  // The base every generated file varies must itself compile, or every refusal would be about the base.
  let err = "";
  const code = await runCli(["compile", file(JSON.stringify(VALID))], { out: () => undefined, err: (t) => (err += t) });
  if (code !== 0) throw new Error(`the valid guardrails file does not compile: ${err}`);
}
const cli: CliCase[] = [];
// Files generated from the file schema: every property (into the guardrail list), every wrong value, written as JSON (which is YAML).
for (const { path, schema, required } of propertyPaths(jsonSchemaOf(ZGuardrailsFile), [], 0, true)) {
  for (const [note, v] of wrongValues(schema, true)) {
    const data = setPath(VALID, path, v);
    cli.push({
      note: `${path.join(".")}: ${note}`,
      argv: ["compile", file(JSON.stringify(data))],
      expect: ZGuardrailsFile.safeParse(data).success ? "any" : "fail",
      field: path.join("."),
    });
  }
  if (required) {
    const data = setPath(VALID, path, undefined, true);
    cli.push({
      note: `${path.join(".")}: missing`,
      argv: ["compile", file(JSON.stringify(data))],
      expect: ZGuardrailsFile.safeParse(data).success ? "any" : "fail",
      field: path.join("."),
    });
  }
}
const g0 = VALID.guardrails[0]!;
const withGuardrail = (over: object) => JSON.stringify({ ...VALID, guardrails: [{ ...g0, ...over }] });
const hand: [string, string | Buffer, string?][] = [
  ["empty file", ""],
  ["only a comment", "# nothing\n"],
  ["not YAML", "{{{{ ::: ]]]"],
  ["tab indentation", "version: 1\nconnections:\n\taws: {}\n"],
  ["unclosed quote", 'version: 1\nworkspace: "acme\n'],
  ["duplicate keys", "version: 1\nversion: 1\n"],
  ["custom tags", "version: !!js/function 'x'\nconnections: !custom {}\n"],
  [
    "alias bomb",
    "version: 1\na: &a [x,x,x,x,x,x,x,x,x]\n" +
      Array.from({ length: 8 }, (_, i) => {
        const p = String.fromCharCode(97 + i);
        const q = String.fromCharCode(98 + i);
        return `${q}: &${q} [${Array(9).fill(`*${p}`).join(",")}]\n`;
      }).join(""),
  ],
  ["100,000-deep flow sequence", `version: 1\nconnections: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`],
  [
    "3,000-deep block sequence",
    `version: 1\nguardrails:\n${Array.from({ length: 3000 }, (_, i) => `${"  ".repeat(i + 1)}- a:\n`).join("")}`,
  ],
  // The YAML parser gives up before any path exists: the refusal names the position only.
  ["1,500-deep params", withGuardrail({ params: { x: JSON.parse("[".repeat(1500) + "]".repeat(1500)) as unknown } })],
  ["binary", Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 73) % 256))],
  ["NUL bytes", Buffer.from("version: 1\nworkspace: a\u0000b\n")],
  ["UTF-16 with BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(VALID), "utf16le")])],
  ["5 MB of one line", `version: 1\nworkspace: ${"x".repeat(5_000_000)}\n`, "workspace"],
  [
    "1,001 guardrails",
    JSON.stringify({ ...VALID, guardrails: Array.from({ length: 1001 }, (_, i) => ({ ...g0, id: `g-${i}` })) }),
    "guardrails",
  ],
  ["duplicate guardrail ids", JSON.stringify({ ...VALID, guardrails: [g0, g0] }), "guardrails.1.id"],
  ["unknown control", withGuardrail({ control: "no-such-control" }), "guardrails.0.control"],
  ["unknown parameter", withGuardrail({ params: { zz: 1 } }), "guardrails.0.params"],
  [
    "restrict-regions with a number for regions",
    withGuardrail({ control: "restrict-regions", params: { allowedRegions: 5 } }),
    "guardrails.0.params",
  ],
  ["SQL in control", withGuardrail({ control: "' OR 1=1 --" }), "guardrails.0.control"],
  ["HTML id", withGuardrail({ id: "<script>" }), "guardrails.0.id"],

  [
    "facts of the wrong shape",
    JSON.stringify({ ...VALID, connections: { aws: { facts: { orgId: "' OR 1=1", managementAccountId: 12 } } } }),
    "connections.aws.facts",
  ],
  [
    "principals of the wrong shape",
    JSON.stringify({
      ...VALID,
      connections: { aws: { ...VALID.connections.aws, principals: { agents: 42, connector: { roleArnPatterns: [null] } } } },
    }),
    "connections.aws.principals",
  ],
  ["unknown cloud", JSON.stringify({ ...VALID, connections: { ibm: {} } }), "connections"],
  [
    "no limits room: 1 policy per target, 1 slot taken",
    JSON.stringify({
      ...VALID,
      connections: {
        aws: { ...VALID.connections.aws, limits: { maxPoliciesPerTarget: 1 }, slotsTaken: { "ou-acme-prod0001": { SCP: 1 } } },
      },
    }),
  ],
];
for (const [note, text, field] of hand) cli.push({ note, argv: ["compile", file(text)], expect: "fail", ...(field ? { field } : {}) });
// Scope targets are opaque strings to the CLI (it has no cloud to look them up in): compiled as given, which is
// harmless (it only prints JSON) but worth a per-cloud format check; counted, not expected to fail.
cli.push({
  note: "path traversal as a scope target",
  argv: ["compile", file(withGuardrail({ scope: { aws: ["../../../etc/passwd"] } }))],
  expect: "any",
});
for (const [note, text] of hand.slice(0, 12)) cli.push({ note: `test: ${note}`, argv: ["test", file(text)], expect: "fail" });
const validFile = file(JSON.stringify(VALID));
const argvCases: [string, string[], string?][] = [
  ["no arguments", []],
  ["unknown command", ["nope"]],
  ["compile without a file", ["compile"]],
  ["compile with two files", ["compile", validFile, validFile]],
  ["missing file", ["compile", join(dir, "missing.yaml")]],
  ["a directory", ["compile", join(dir, "sub")]],
  ["/dev/null", ["compile", "/dev/null"]],
  ["path traversal", ["compile", `${dir}/../../../../etc/passwd`]],
  ["--cloud without a value", ["compile", validFile, "--cloud"], "--cloud"],
  ["--cloud=ibm", ["compile", validFile, "--cloud=ibm"], "--cloud"],
  ["--cloud with SQL", ["compile", validFile, "--cloud", "' OR 1=1"], "--cloud"],
  ["--cloud for an unconfigured cloud", ["compile", validFile, "--cloud", "oci"], "connections.oci"],
  ["unknown flag", ["compile", validFile, "--zz"]],
  ["test with no file", ["test"]],
  ["audit without verify", ["audit"]],
  ["audit verify without a workspace", ["audit", "verify"]],
  ["audit verify --workspace without a value", ["audit", "verify", "--workspace"]],
  ["keys without rotate", ["keys"]],
  ["keys rotate with extra arguments", ["keys", "rotate", "extra", "args", "here"]],
];
for (const [note, argv, field] of argvCases) cli.push({ note, argv, expect: "fail", ...(field ? { field } : {}) });
// Operations commands: nasty workspace slugs against the real database (read only), and broken environments.
for (const [note, slug] of [...NASTY_STRINGS.filter(([n]) => n !== "empty"), ["10,000 chars", "s".repeat(10_000)]] as [string, string][]) {
  cli.push({
    note: `audit verify --workspace ${note}`,
    argv: ["audit", "verify", "--workspace", slug],
    env: { DATABASE_URL: stack.databaseUrl },
    expect: "fail",
  });
}
const goodKey = randomBytes(32).toString("base64");
const envCases: [string, string[], Record<string, string | undefined>, string][] = [
  ["no DATABASE_URL", ["audit", "verify", "--workspace", "acme"], { DATABASE_URL: undefined }, "DATABASE_URL"],
  ["DATABASE_URL not a URL", ["audit", "verify", "--workspace", "acme"], { DATABASE_URL: "not a url" }, "DATABASE_URL"],
  [
    "DATABASE_URL closed port, with a password",
    ["audit", "verify", "--workspace", "acme"],
    { DATABASE_URL: "postgresql://postgres:hunter2@127.0.0.1:1/x" },
    "DATABASE_URL",
  ],
  [
    "DATABASE_URL unknown database",
    ["audit", "verify", "--workspace", "acme"],
    { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/parapet_no_such_db" },
    "DATABASE_URL",
  ],
  [
    "DATABASE_URL without Parapet's tables",
    ["audit", "verify", "--workspace", "acme"],
    { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres" },
    "DATABASE_URL",
  ],
  [
    "keys rotate without a master key",
    ["keys", "rotate"],
    { DATABASE_URL: stack.databaseUrl, PARAPET_MASTER_KEY: undefined },
    "PARAPET_MASTER_KEY",
  ],
  [
    "keys rotate with a 5-byte master key",
    ["keys", "rotate"],
    { DATABASE_URL: stack.databaseUrl, PARAPET_MASTER_KEY: "garbage" },
    "PARAPET_MASTER_KEY",
  ],
  [
    "keys rotate with a master key id of 100 chars",
    ["keys", "rotate"],
    { DATABASE_URL: stack.databaseUrl, PARAPET_MASTER_KEY: goodKey, PARAPET_MASTER_KEY_ID: "i".repeat(100) },
    "PARAPET_MASTER_KEY_ID",
  ],
  [
    "keys rotate with malformed old keys",
    ["keys", "rotate"],
    { DATABASE_URL: stack.databaseUrl, PARAPET_MASTER_KEY: goodKey, PARAPET_MASTER_KEYS_OLD: "x:y,z" },
    "PARAPET_MASTER_KEYS_OLD",
  ],
  [
    "keys rotate for an unknown workspace",
    ["keys", "rotate", "--workspace", "no-such-ws"],
    { DATABASE_URL: stack.databaseUrl, PARAPET_MASTER_KEY: goodKey },
    "--workspace",
  ],
  [
    "keys rotate for a NUL workspace",
    ["keys", "rotate", "--workspace", "a\u0000b"],
    { DATABASE_URL: stack.databaseUrl, PARAPET_MASTER_KEY: goodKey },
    "--workspace",
  ],
];
for (const [note, argv, env, field] of envCases) cli.push({ note, argv, env, expect: "fail", field });

interface CliResult {
  c: CliCase;
  code: number | null;
  out: string;
  err: string;
  crashed: string | null;
}
const OPS_ENV = ["DATABASE_URL", "PARAPET_MASTER_KEY", "PARAPET_MASTER_KEY_ID", "PARAPET_MASTER_KEYS_OLD"];
const cliResults: CliResult[] = [];
const cliT0 = performance.now();
for (const c of cli) {
  // The operations commands read process.env: each case sees exactly the variables it sets.
  const saved = Object.fromEntries(OPS_ENV.map((k) => [k, process.env[k]]));
  for (const k of OPS_ENV) delete process.env[k];
  for (const [k, v] of Object.entries(c.env ?? {})) if (v !== undefined) process.env[k] = v;
  let out = "";
  let err = "";
  let code: number | null = null;
  let crashed: string | null = null;
  try {
    code = await runCli(c.argv, { out: (t) => (out += t), err: (t) => (err += t) });
  } catch (e) {
    // Uncaught: the real process would die printing this stack trace.
    crashed = (e as Error).stack?.split("\n").slice(0, 3).join(" | ") ?? String(e);
  }
  for (const k of OPS_ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  cliResults.push({ c, code, out, err, crashed });
}
// The same through the real executable for a sample (exit codes and stderr of real processes).
const sample = cli.filter((_, i) => i % Math.ceil(cli.length / 16) === 0).filter((c) => !c.argv.some((a) => a.includes("\u0000")));
const spawned = await Promise.all(
  sample.map(
    (c) =>
      new Promise<{ c: CliCase; code: number | null; err: string }>((resolve) => {
        const env = { ...process.env };
        for (const k of OPS_ENV) delete env[k];
        const p = spawn(process.execPath, ["--import", "tsx", join(ROOT, "packages", "core", "src", "cli", "main.ts"), ...c.argv], {
          cwd: ROOT,
          env: { ...env, ...c.env },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let err = "";
        p.stderr.on("data", (d: Buffer) => (err += d.toString()));
        p.on("exit", (code) => resolve({ c, code, err }));
      }),
  ),
);
const cliSeconds = (performance.now() - cliT0) / 1000;

// --- after -----------------------------------------------------------------------------------------------
const dbAfter = await fingerprint(sql);
const redisAfter = await redisFingerprint();
const dbDiff = diffFingerprints(dbBefore, dbAfter);
const redisDiff = [
  ...redisAfter.filter((x) => !redisBefore.includes(x)).map((x) => `+ ${x}`),
  ...redisBefore.filter((x) => !redisAfter.includes(x)).map((x) => `- ${x}`),
];
await web.stop();
const serverLog = web.output();
// Stack traces of unexpected errors belong in the server log (that is where they are meant to go); secrets never.
const logLeak = secrets.filter((x) => x !== stack.databaseUrl).some((x) => serverLog.includes(x)) ? "a secret or API key" : null;
const unhandled = (serverLog.match(/unhandled API error/g) ?? []).length;

const s = summarize(verdicts);
const show = (title: string, vs: Verdict[], extra: (v: Verdict) => string = (v) => v.text.slice(0, 160)) => {
  if (!vs.length) return;
  console.log(`\n${title} (${vs.length}):`);
  for (const v of vs.slice(0, 25)) console.log(`  ${describeCase(v)}  ${extra(v)}`);
};
show("5xx", s.fiveXX);
show("leaks", s.leaks, (v) => v.leak ?? "");
show("unclear 4xx", s.unclear);
show("400/422 not naming the field", s.notNamed, (v) => `(field ${v.c.field ?? "any"}) ${v.text.slice(0, 160)}`);
show("writes accepted", s.acceptedWrites);
show("status other than expected", s.unexpected, (v) => `(expected ${v.c.expect}) ${v.text.slice(0, 120)}`);
if (notSent.length)
  console.log(
    `\nnot sendable by the HTTP client (${notSent.length}): ${notSent
      .slice(0, 5)
      .map((c) => `${c.route} ${c.note}`)
      .join("; ")}`,
  );
if (dbDiff.length) console.log(`\ndatabase changed:\n  ${dbDiff.join("\n  ")}`);
if (redisDiff.length) console.log(`\nRedis changed:\n  ${redisDiff.slice(0, 20).join("\n  ")}`);

const cliCrashes = cliResults.filter((r) => r.crashed);
const cliLeaks = cliResults.filter((r) => !r.crashed && findLeak(r.err + r.out, r.c.argv.join("\n"), secrets));
const cliAccepted = cliResults.filter((r) => r.c.expect === "fail" && r.code === 0);
const cliFailed = cliResults.filter((r) => !r.crashed && r.code !== 0);
// A refusal names what was wrong: "file:line:col path: …", "--flag: …", "VARIABLE…", or prints the usage.
const names = (r: CliResult) => {
  const t = r.err + r.out;
  // A generated variation may add a connection the base file lacks: naming a sibling under it (connections.azure.facts) counts.
  if (r.c.field)
    return t.includes(r.c.field) || t.includes(r.c.field.split(".").pop()!) || t.includes(r.c.field.split(".").slice(0, 2).join("."));
  return /:\d+:\d+ \S+|^--[\w-]+:|^[A-Z_]+[:=]|^\S+: (?:aws|azure|gcp|oci): |usage:|cannot read file|not found/m.test(t);
};
const cliNamed = cliFailed.filter(names);
const cliUnnamed = cliFailed.filter((r) => !names(r));
const spawnedBad = spawned.filter((p) => p.code === null || ![0, 1, 2].includes(p.code) || /\n\s+at /.test(p.err));
for (const [title, rs] of [
  ["CLI crashes (uncaught: a stack trace)", cliCrashes],
  ["CLI leaks", cliLeaks],
  ["CLI accepted a bad input", cliAccepted],
  ["CLI refusals not naming the field", cliUnnamed],
] as const) {
  if (!rs.length) continue;
  console.log(`\n${title} (${rs.length}):`);
  for (const r of rs.slice(0, 20))
    console.log(`  ${r.c.note.slice(0, 70)} → ${r.crashed ?? `exit ${r.code}: ${(r.err || r.out).slice(0, 200).replace(/\n/g, " | ")}`}`);
}
for (const p of spawnedBad) console.log(`  spawned: ${p.c.note} → exit ${p.code}: ${p.err.slice(0, 200)}`);

const tables = Object.keys(dbAfter).length;
const rows = Object.values(dbAfter).reduce((n, t) => n + t.rows, 0);
const wall = (performance.now() - wall0) / 1000;
const figures: Figure[] = [
  {
    name: `HTTP requests sent (${web.kind}${serverNote}; ${CONCURRENCY} at a time; ${excluded.length} generated variations a write would accept were not sent; ${notSent.length} the client could not put on the wire)`,
    value: s.requests,
    unit: "requests",
  },
  {
    name: `by status class ${JSON.stringify(s.byClass)}; by status ${JSON.stringify(s.byStatus)}`,
    value: s.byClass["4xx"] ?? 0,
    unit: "4xx",
  },
  { name: "5xx answers", value: s.fiveXX.length, unit: "", goal: "0", ok: s.fiveXX.length === 0 },
  {
    name: "answers leaking a stack trace, internal path, ORM/driver text or a secret",
    value: s.leaks.length,
    unit: "",
    goal: "0",
    ok: s.leaks.length === 0,
  },
  {
    name: "4xx that are not a JSON { error: { code, message } } (for paths outside /api/v1 the console's HTML not-found page is right)",
    value: s.unclear.length,
    unit: "",
    goal: "0",
    ok: s.unclear.length === 0,
  },
  {
    name: `400/422 answers naming the field or parameter the request got wrong (${s.fieldNamed} of ${s.fieldAnswers})`,
    value: (100 * s.fieldNamed) / Math.max(1, s.fieldAnswers),
    unit: "%",
    goal: "100 %",
    ok: s.fieldNamed === s.fieldAnswers,
  },
  {
    name: "answers with another status than the case expects (401 / 403 / 404 / 405 / any 4xx)",
    value: s.unexpected.length,
    unit: "",
    goal: "0",
    ok: s.unexpected.length === 0,
  },
  { name: "bad writes accepted (2xx)", value: s.acceptedWrites.length, unit: "", goal: "0", ok: s.acceptedWrites.length === 0 },
  {
    name: `database unchanged: tables whose row count or content hash changed, of ${tables} (${rows} rows; only apikey's last-used columns excluded)`,
    value: dbDiff.length,
    unit: "tables changed",
    goal: "0",
    ok: dbDiff.length === 0,
  },
  {
    name: `Redis (queues) under the run's prefix changed, of ${redisBefore.length} keys`,
    value: redisDiff.length,
    unit: "keys changed",
    goal: "0",
    ok: redisDiff.length === 0,
  },
  {
    name: `server log: unhandled errors logged / secret or API key printed (${logLeak ?? "none"})`,
    value: unhandled,
    unit: `unhandled, ${logLeak ? 1 : 0} leaks`,
    goal: "0 / 0",
    ok: unhandled === 0 && !logLeak,
  },
  { name: `HTTP campaign wall time (load ${loadHttp})`, value: httpSeconds, unit: `s (${(s.requests / httpSeconds).toFixed(0)} req/s)` },
  {
    name: `CLI invocations (in-process runCli; ${spawned.length} of them also as real processes, ${spawnedBad.length} of those crashed or printed a stack)`,
    value: cliResults.length,
    unit: `invocations in ${cliSeconds.toFixed(1)} s`,
  },
  {
    name: `CLI crashes (uncaught exceptions) / leaks / bad input accepted (exit 0)`,
    value: cliCrashes.length,
    unit: `crashes, ${cliLeaks.length} leaks, ${cliAccepted.length} accepted`,
    goal: "0 / 0 / 0",
    ok: cliCrashes.length === 0 && cliLeaks.length === 0 && cliAccepted.length === 0 && spawnedBad.length === 0,
  },
  {
    name: `CLI refusals naming the file position / field, flag or variable (${cliNamed.length} of ${cliFailed.length})`,
    value: (100 * cliNamed.length) / Math.max(1, cliFailed.length),
    unit: "%",
    goal: "100 %",
    ok: cliUnnamed.length === 0,
  },
  {
    name: `whole run wall time (incl. database, server start${preferNext ? "" : ""}, seeding; load ${loadStart} → ${load1()})`,
    value: wall,
    unit: "s",
  },
];
report("bad-input campaign: HTTP API and CLI (issue 10)", figures);
console.log(`  categories: ${JSON.stringify(s.byCategory)}`);

await db.end();
await stack.close();
rmSync(dir, { recursive: true, force: true });
const failed = figures.some((f) => f.ok === false && !f.name.startsWith("answers with another status"));
process.exit(failed ? 1 : 0);
