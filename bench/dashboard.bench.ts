/**
 * Dashboard latency at scale (issue 10): 10,000 environments × 50 guardrails of coverage rows (500,000)
 * plus drift findings, seeded into a fresh database; the reads the dashboard makes — coverage
 * overview, matrix pages of 100 environments (first, deep, by status), the drift list (first page and
 * one 20,000 findings deep), a level of the environment tree, the node coverage page (an OU, a root) and
 * a guardrail's detail — over HTTP with autocannon, 20
 * concurrent clients on loopback and then one, p50/p95 (computed from every response's latency). The
 * worker's memory during a large reconcile, measured here before, is bench/worker-memory.bench.ts.
 *   pnpm exec tsx bench/dashboard.bench.ts [seconds-per-endpoint=15] [--envs=10000]
 * The server is `next start` when a production build exists (apps/web/.next/BUILD_ID); otherwise the same
 * route handler modules served by node:http in a separate process (bench/lib/web-handlers.ts): the
 * figure then excludes Next's own routing layer, and the report says so.
 */
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import pg from "pg";
import { createAuth } from "@parapet/core/identity/auth";
import { report, type Figure } from "./lib/report.ts";
import { load1, percentile, sleep, startBenchStack } from "./lib/stack.ts";
import { startWebServer } from "./lib/web-server.ts";

const args = process.argv.slice(2);
const SECONDS = Number(args.find((a) => !a.startsWith("--")) ?? 15);
// --envs=N scales the estate (default 10,000: AWS 7,000 + 1,000 each on the other clouds), e.g. --envs=50000.
// --only=a,b measures just the endpoints whose name contains one of these; --clients=1 just one client count;
// --cpu-prof=DIR runs the server under `node --cpu-prof` and leaves its profiles in DIR (written when it stops).
const ONLY = args
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",")
  .filter(Boolean);
const CLIENTS = (args.find((a) => a.startsWith("--clients="))?.slice("--clients=".length) ?? "20,1").split(",").map(Number);
if (CLIENTS.some((c) => !(c >= 1))) throw new Error("--clients must be positive numbers, e.g. --clients=20,1");
// --no-next serves the route handler modules on node:http even when a production build exists (an A/B of
// the request path's own code without rebuilding).
const NO_NEXT = args.includes("--no-next");
const CPU_PROF = args.find((a) => a.startsWith("--cpu-prof="))?.slice("--cpu-prof=".length);
const SCALE = Number(args.find((a) => a.startsWith("--envs="))?.slice("--envs=".length) ?? 10_000) / 10_000;
if (!(SCALE > 0)) throw new Error("--envs must be a positive number of environments");
const ENVS: Record<"aws" | "azure" | "gcp" | "oci", number> = {
  aws: Math.round(7000 * SCALE),
  azure: Math.round(1000 * SCALE),
  gcp: Math.round(1000 * SCALE),
  oci: Math.round(1000 * SCALE),
};
const GUARDRAILS = 50;
const OUS_PER_CONNECTION = 20;

const stack = await startBenchStack({ tag: "dashboard", poolMax: 4 });
const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();

// --- seed ------------------------------------------------------------------------------------------
const seed0 = performance.now();
const wsId = `ws_dash_${randomBytes(4).toString("hex")}`;
await db.query(`INSERT INTO workspace (id, name, slug, "createdAt") VALUES ($1, 'Dashboard bench', $2, now())`, [
  wsId,
  wsId.replace(/_/g, "-"),
]);
const userId = `u_dash_${randomBytes(4).toString("hex")}`;
await stack.prisma.user.create({ data: { id: userId, name: "Bench viewer", email: `${userId}@example.test` } });
await stack.prisma.member.create({ data: { id: `m_${userId}`, organizationId: wsId, userId, role: "viewer", createdAt: new Date() } });
for (const [cloud, n] of Object.entries(ENVS)) {
  const conn = `c_${cloud}_${wsId}`;
  await db.query(
    `INSERT INTO connection (id, "workspaceId", cloud, name, status, "createdAt", "updatedAt") VALUES ($1, $2, $3::"Cloud", $4, 'active', now(), now())`,
    [conn, wsId, cloud, `${cloud} org`],
  );
  const root = `n_${cloud}_root`;
  await db.query(
    `INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, path, depth) VALUES ($1, $2, $3, 'root', 'root', 'Root', $1, 0)`,
    [root, wsId, conn],
  );
  await db.query(
    `INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, "parentId", path, depth, "effectiveLabels")
     SELECT 'n_${cloud}_ou_' || i, $1, $2, 'ou-' || i, 'ou', 'team-' || i, $3, $3 || '/n_${cloud}_ou_' || i, 1, jsonb_build_object('env', (ARRAY['prod','nonprod','sandbox'])[1 + i % 3])
     FROM generate_series(1, ${OUS_PER_CONNECTION}) i`,
    [wsId, conn, root],
  );
  await db.query(
    `INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, "parentId", path, depth, "isEnvironment", "effectiveLabels")
     SELECT 'n_${cloud}_e_' || i, $1, $2, 'env-' || i, 'environment', '${cloud}-env-' || lpad(i::text, 5, '0'), 'n_${cloud}_ou_' || (1 + i % ${OUS_PER_CONNECTION}),
            $3 || '/n_${cloud}_ou_' || (1 + i % ${OUS_PER_CONNECTION}) || '/n_${cloud}_e_' || i, 2, true,
            jsonb_build_object('env', (ARRAY['prod','nonprod','sandbox'])[1 + (1 + i % ${OUS_PER_CONNECTION}) % 3])
     FROM generate_series(1, ${n}) i`,
    [wsId, conn, root],
  );
}
await db.query(
  `INSERT INTO guardrail (id, "workspaceId", "controlId", name, "updatedAt") SELECT 'g_' || i, $1, 'restrict-regions', 'Guardrail ' || lpad(i::text, 2, '0'), now() FROM generate_series(1, ${GUARDRAILS}) i`,
  [wsId],
);
await db.query(
  `INSERT INTO guardrail_version (id, "guardrailId", version, params, scope, mode, remediation) SELECT 'gv_' || i, 'g_' || i, 1, '{}', '{"all":true}', 'enforce', 'auto' FROM generate_series(1, ${GUARDRAILS}) i`,
);
// 500,000 coverage rows: mostly enforced, with the other statuses a real estate shows.
await db.query(
  `INSERT INTO coverage_row (id, "workspaceId", "connectionId", "nodeId", "guardrailId", status, fidelity, "updatedAt")
   SELECT n.id || '_' || g.id, $1, n."connectionId", n.id, g.id,
          (CASE WHEN h < 900 THEN 'enforced' WHEN h < 930 THEN 'audit' WHEN h < 950 THEN 'exempt' WHEN h < 970 THEN 'drifted' WHEN h < 990 THEN 'unsupported' ELSE 'unknown' END)::"CoverageStatus",
          CASE WHEN h >= 970 AND h < 990 THEN 'unsupported' ELSE 'enforced' END, now()
   FROM node n CROSS JOIN guardrail g CROSS JOIN LATERAL (SELECT abs(hashtext(n.id || g.id)) % 1000 AS h) x
   WHERE n."workspaceId" = $1 AND n."isEnvironment" AND g."workspaceId" = $1`,
  [wsId],
);
// One open finding per drifted pair, and three times as many resolved ones (history).
await db.query(
  `INSERT INTO drift_finding (id, "workspaceId", "connectionId", "guardrailId", "nodeId", kind, status, fingerprint, summary, "openedAt", "lastSeenAt")
   SELECT 'd_' || c.id, $1, c."connectionId", c."guardrailId", c."nodeId", (ARRAY['missing','modified','detached','weakened']::"DriftKind"[])[1 + abs(hashtext(c.id)) % 4], 'open',
          'fp|' || c.id, 'Guardrail artifact changed outside Parapet', now() - (abs(hashtext(c.id)) % 86400) * interval '1 second', now()
   FROM coverage_row c WHERE c."workspaceId" = $1 AND c.status = 'drifted'`,
  [wsId],
);
await db.query(
  `INSERT INTO drift_finding (id, "workspaceId", "connectionId", "guardrailId", "nodeId", kind, status, fingerprint, summary, "openedAt", "lastSeenAt", "resolvedAt", resolution, "resolvedBy")
   SELECT 'dr_' || k || '_' || c.id, $1, c."connectionId", c."guardrailId", c."nodeId", 'detached', 'resolved', 'fp|' || c.id, 'Detached outside Parapet',
          now() - interval '30 days' + k * interval '1 day', now() - interval '30 days' + k * interval '1 day', now() - interval '30 days' + k * interval '1 day' + interval '20 seconds', 'auto_reapplied', 'parapet'
   FROM coverage_row c CROSS JOIN generate_series(1, 3) k WHERE c."workspaceId" = $1 AND c.status = 'drifted'`,
  [wsId],
);
await db.query("ANALYZE");
const counts = (
  await db.query(
    `SELECT (SELECT count(*) FROM node WHERE "workspaceId" = $1 AND "isEnvironment") AS envs, (SELECT count(*) FROM coverage_row WHERE "workspaceId" = $1) AS rows, (SELECT count(*) FROM drift_finding WHERE "workspaceId" = $1 AND status = 'open') AS open, (SELECT count(*) FROM drift_finding WHERE "workspaceId" = $1) AS drift`,
    [wsId],
  )
).rows[0] as Record<string, string>;
const seedS = (performance.now() - seed0) / 1000;
console.log(
  `seeded ${counts.envs} environments, ${counts.rows} coverage rows, ${counts.open} open of ${counts.drift} drift findings in ${seedS.toFixed(1)} s`,
);

const authSecret = randomBytes(32).toString("base64url");
const benchAuth = createAuth({ prisma: stack.prisma, baseURL: "http://127.0.0.1", secret: authSecret });
const key = (
  await benchAuth.api.createApiKey({
    body: { userId, name: "dashboard bench", metadata: { workspaceId: wsId, role: "viewer" }, rateLimitEnabled: false },
  })
).key;
// A signed-in person too (the console's way in: a session cookie), a viewer of the same workspace.
const sessionEmail = `s_${userId}@example.test`;
const sessionPassword = randomBytes(18).toString("base64url");
await benchAuth.api.signUpEmail({ body: { email: sessionEmail, password: sessionPassword, name: "Bench session viewer" } });
const signedIn = await benchAuth.api.signInEmail({ body: { email: sessionEmail, password: sessionPassword }, returnHeaders: true });
await stack.prisma.member.create({
  data: { id: `m_s_${userId}`, organizationId: wsId, userId: signedIn.response.user.id, role: "viewer", createdAt: new Date() },
});
const sessionCookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
if (!sessionCookie.includes("session_token=")) throw new Error("sign-in set no session cookie");

// --- server ----------------------------------------------------------------------------------------
const web = await startWebServer(
  {
    databaseUrl: stack.databaseUrl,
    redisUrl: stack.redisUrl,
    redisPrefix: stack.redisPrefix,
    authSecret,
    masterKeyB64: stack.masterKeyB64,
  },
  { ...(CPU_PROF ? { cpuProfDir: CPU_PROF } : {}), preferNext: !NO_NEXT },
);
const base = web.base;
const headers = { "x-api-key": key };
for (let i = 0; i < 600; i++) {
  const ok = await fetch(`${base}/api/v1/coverage/overview`, { headers }).then(
    (r) => r.status,
    () => 0,
  );
  if (ok === 200) break;
  if (ok && ok !== 200 && i > 5) throw new Error(`overview answered ${ok}`);
  await sleep(500);
}
const serverKind = web.kind;

async function measure(path: string, clients: number, headers: Record<string, string>) {
  // autocannon's default 10 s timeout would drop the slowest responses from the percentiles; 60 s keeps them.
  // Warm the route (first-request compilation and connection pools) before measuring.
  for (let i = 0; i < 5; i++) await fetch(`${base}${path}`, { headers }).then((r) => r.arrayBuffer());
  const latencies: number[] = [];
  const load0 = load1();
  const cpu0 = web.cpuSeconds();
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon({ url: `${base}${path}`, connections: clients, duration: SECONDS, headers, timeout: 60 }, (err, result) =>
      err ? reject(err as Error) : resolve(result),
    );
    inst.on("response", (_c, _status, _bytes, ms) => latencies.push(ms));
  });
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    rps: r.requests.average,
    non2xx: r.non2xx,
    errors: r.errors,
    n: latencies.length,
    // The server's own CPU per request (the next start process group): other load stretches it far less than latency.
    cpuMs: latencies.length ? ((web.cpuSeconds() - cpu0) * 1000) / latencies.length : NaN,
    load: `${load0} → ${load1()}`,
  };
}

const someConn = `c_aws_${wsId}`;
/** Follows `nextCursor` from `path` `pages` times (over HTTP, as a client scrolling would) and returns the URL of the page reached. */
async function deepPage(path: string, pages: number): Promise<string> {
  let url = path;
  for (let i = 0; i < pages; i++) {
    const r = (await fetch(`${base}${url}`, { headers }).then((x) => x.json())) as { nextCursor?: string | null };
    if (!r.nextCursor) throw new Error(`${path} ended after ${i + 1} pages`);
    url = `${path}&cursor=${encodeURIComponent(r.nextCursor)}`;
  }
  return url;
}
// Keyset pages (issue 15): a page deep in a list must cost what the first page costs.
const deepMatrix = await deepPage("/api/v1/coverage/matrix?limit=100", 50);
const deepDrift = await deepPage("/api/v1/drift?limit=50", 400);
const treeLevel = `/api/v1/connections/${someConn}/nodes?parentId=n_aws_ou_1&limit=200`;
const endpoints = [
  // Authentication alone (API key → member → role): the floor under every other figure.
  ["authentication only (/me)", "/api/v1/me"],
  ["authentication only (/me), session cookie", "/api/v1/me", { cookie: sessionCookie }],
  ["coverage overview", "/api/v1/coverage/overview"],
  ["coverage overview, session cookie", "/api/v1/coverage/overview", { cookie: sessionCookie }],
  ["matrix page (100 environments)", "/api/v1/coverage/matrix?limit=100"],
  ["matrix page (100 environments, one connection)", `/api/v1/coverage/matrix?limit=100&connectionId=${someConn}`],
  ["matrix page 51 (after 5,000 environments)", deepMatrix],
  ["matrix page, environments with a drifted cell", "/api/v1/coverage/matrix?limit=100&status=drifted"],
  ["open drift list (first page)", "/api/v1/drift?status=open&limit=50"],
  ["drift list page 401 (after 20,000 findings)", deepDrift],
  [`environment tree: an OU's ${Math.round(ENVS.aws / 20)} accounts (200 a page)`, treeLevel],
  // Coverage counts from the aggregates (issue 15): below an OU (350 environments) and a root (the
  // whole connection, 7,000), and one guardrail's totals.
  ["node coverage page (an OU)", "/api/v1/nodes/n_aws_ou_1/coverage"],
  ["node coverage page (the AWS root)", "/api/v1/nodes/n_aws_root/coverage"],
  ["guardrail detail", "/api/v1/guardrails/g_1"],
] as const satisfies ReadonlyArray<readonly [string, string, Record<string, string>?]>;
const figures: Figure[] = [
  {
    name: `seeded: ${counts.envs} environments × ${GUARDRAILS} guardrails = ${counts.rows} coverage rows, ${counts.open} open / ${counts.drift} drift findings`,
    value: seedS,
    unit: "s to seed",
  },
];
// 20 concurrent clients (throughput and queueing), then one (the latency a single viewer sees).
for (const clients of CLIENTS)
  for (const [name, path, how] of endpoints) {
    if (ONLY && !ONLY.some((o) => name.includes(o))) continue;
    const m = await measure(path, clients, how ?? headers);
    figures.push({
      name: `${name}: p50 / p95 / p99, ${clients} client${clients === 1 ? "" : "s"}, ${SECONDS} s (${m.n} requests, ${m.rps.toFixed(0)} req/s, ${m.non2xx} non-2xx, ${m.errors} errors; server CPU ${m.cpuMs.toFixed(1)} ms/request; load ${m.load})`,
      value: m.p50,
      unit: `ms / ${m.p95.toFixed(0)} ms / ${m.p99.toFixed(0)} ms`,
    });
  }
await web.stop();
report(`dashboard API at ${counts.envs} environments × ${GUARDRAILS} guardrails, served by ${serverKind} (issues 10, 15)`, figures);
await db.end();

await stack.close();
