/**
 * Issue 14, one API contract: a route's response schema (openapi/routes.ts) is what its handler sends.
 * The wrapper refuses a body the schema rejects (a 500 that leaks nothing of it) and sends only the
 * fields the schema names; and every GET route's real answer, on a workspace seeded with one of
 * everything (coverage cells, a plan preview, a verification result, a report snapshot), parses with
 * its schema. (The route matrix in routes.int.test.ts also fails on any 5xx of a successful read.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { getPrisma } from "@parapet/db";
import { configureLogging } from "@parapet/core/common/logger";
import { API_ROUTES, type ApiRoute } from "@parapet/core/openapi/routes";
import { createReportSnapshot } from "@parapet/core/reports/build-report";
import { captureLogLines, type TLogLine } from "@parapet/core/testing/log-capture";
import { reply, route } from "@/server/api";
import { serverLog } from "@/server/request-log";
import { BASE_URL, call } from "./harness.ts";
import { hasId, idFor, routeKey, VALID_QUERY } from "./bad-input.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let A: World;
let reportId: string;

beforeAll(async () => {
  A = await createWorld(prisma, "Contract");
  // What the world's API calls do not produce on their own: the worker's results.
  const envs = [A.nodes.p1, A.nodes.p2, A.nodes.d1];
  const statuses = ["enforced", "drifted", "exempt"] as const;
  await prisma.coverageRow.createMany({
    data: envs.map((nodeId, i) => ({
      workspaceId: A.id,
      connectionId: A.connectionId,
      nodeId,
      guardrailId: A.guardrailId,
      status: statuses[i]!,
      fidelity: "enforced",
      detail: i === 1 ? "SCP detached" : null,
    })),
  });
  await prisma.connection.update({
    where: { id: A.connectionId },
    data: {
      lastVerifiedAt: new Date(),
      verifyResult: {
        ok: true,
        identity: "arn:aws:iam::111122223333:role/ParapetConnector",
        checks: [{ permission: "organizations:DescribeOrganization", ok: true }],
        missing: [],
      },
      lastReconciledAt: new Date(),
      lastReconcileStatus: "succeeded",
    },
  });
  await prisma.reconcileRun.create({
    data: {
      workspaceId: A.id,
      connectionId: A.connectionId,
      trigger: "preview",
      status: "succeeded",
      finishedAt: new Date(),
      plan: {
        changes: [{ op: "create", cause: "new-guardrail", reason: "guardrail g1 selects 3 environments" }],
        problems: [],
        unknown: [{ kind: "aws.scp", name: "x", reason: "unreadable" }],
      },
    },
  });
  reportId = (await createReportSnapshot(prisma, A.id)).id;
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});
/** The web's log lines from here on, parsed (the real logger, written to a capture). */
function captureLog(): TLogLine[] {
  serverLog();
  const { destination, lines } = captureLogLines();
  configureLogging({ level: "warn", destination });
  return lines;
}
afterEach(() => {
  configureLogging({ level: "warn", destination: undefined });
});

/** A route definition of its own, served by the real wrapper (auth, parsing, response check, errors). */
const probe = {
  method: "GET",
  path: "/probe/{id}",
  summary: "test",
  tag: "test",
  permission: null,
  response: z.object({ id: z.string(), count: z.number().int(), status: z.enum(["open", "resolved"]) }),
  status: 200,
} as const satisfies ApiRoute;

const get = (h: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) =>
  h(new Request(`${BASE_URL}/api/v1/probe/p1`, { headers: { "x-api-key": A.members.viewer.key } }), {
    params: Promise.resolve({ id: "p1" }),
  });

describe("the response contract", () => {
  it("a body the response schema rejects is not sent: 500 with the request id, the log names the field and not the data", async () => {
    const logged = captureLog();
    const bad: unknown = { id: "TOP-SECRET-ID-7731", count: "TOP-SECRET-COUNT", status: "open", password: "hunter2-TOP-SECRET" };
    // The run-time half (a handler typed loosely, or a use-case returning what its types did not say).
    const res = await get(route(probe, async () => bad as z.input<typeof probe.response>));
    const text = await res.text();
    const id = res.headers.get("x-request-id");
    expect(res.status).toBe(500);
    expect(id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(JSON.parse(text)).toEqual({
      error: { code: "internal", message: "Something went wrong on our side. It has been logged.", requestId: id },
    });
    expect(text).not.toMatch(/TOP-SECRET|hunter2/);
    const line = logged.find((l) => l.msg === "response contract broken");
    expect(line, JSON.stringify(logged)).toMatchObject({
      level: "error",
      requestId: id,
      status: 500,
      route: "GET /probe/{id}",
      issues: [{ path: "count", code: "invalid_type" }],
    });
    expect(JSON.stringify(logged)).not.toMatch(/TOP-SECRET|hunter2/);
  });

  it("the log line names a record's broken entry without its key (keys are data: label names, ids)", async () => {
    const logged = captureLog();
    const labelled = {
      ...probe,
      response: z.object({ rows: z.array(z.object({ labels: z.record(z.string(), z.string()) })) }),
    } as const satisfies ApiRoute;
    const bad: unknown = { rows: [{ labels: { "TOP-SECRET-LABEL": 7 } }] };
    const res = await get(route(labelled, async () => bad as z.input<typeof labelled.response>));
    expect(res.status).toBe(500);
    const line = logged.find((l) => l.msg === "response contract broken");
    expect(line).toMatchObject({ requestId: res.headers.get("x-request-id"), issues: [{ path: "rows.0.labels.*", code: "invalid_type" }] });
    expect(JSON.stringify(logged)).not.toContain("TOP-SECRET");
  });

  it("the compile-time half: a handler whose value does not fit the schema does not type-check", () => {
    // @ts-expect-error -- count is a string here; the wrapper's handler type is the schema's input
    const h = route(probe, async () => ({ id: "a", count: "1", status: "open" as const }));
    // @ts-expect-error -- "closed" is not one of the statuses
    const h2 = route(probe, async () => ({ id: "a", count: 1, status: "closed" as const }));
    expect([h, h2].every((x) => typeof x === "function")).toBe(true);
  });

  it("sends only the fields the schema names, with the definition's status or the reply's", async () => {
    const extra = { id: "p1", count: 2, status: "open" as const, internalNote: "never on the wire" };
    const res = await get(route(probe, async () => extra));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "p1", count: 2, status: "open" });
    const accepted = await get(
      route(probe, async () =>
        reply({ id: "p1", count: 3, status: "resolved" as const }, { status: 202, headers: { "cache-control": "no-store" } }),
      ),
    );
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get("cache-control")).toBe("no-store");
    expect(await accepted.json()).toEqual({ id: "p1", count: 3, status: "resolved" });
    // A reply is checked like a plain body.
    const wrong = await get(route(probe, async () => reply({ id: "p1", count: 1.5, status: "open" as const }, { status: 202 })));
    expect(wrong.status).toBe(500);
  });
});

const QUERY: Record<string, Record<string, string>> = { "GET /reports/preview": { format: "json" } };

const reads = API_ROUTES.filter((r): r is ApiRoute & { response: z.ZodType } => r.method === "GET" && r.response !== undefined);

describe("every GET route's real answer parses with its response schema", () => {
  it("covers the reads", () => {
    expect(reads.length).toBeGreaterThan(30);
  });
  it.each(reads.map((r) => [routeKey(r), r] as const))("%s", async (_, r) => {
    const id = r.path.startsWith("/reports/") ? reportId : hasId(r) ? idFor(A, r.path) : undefined;
    const res = await call("GET", r.path, {
      ...(r.public ? {} : { key: A.members.owner.key }),
      params: id ? { id } : {},
      query: { ...(VALID_QUERY[routeKey(r)]?.(A) ?? {}), ...QUERY[routeKey(r)] },
    });
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    const parsed = r.response.safeParse(res.body);
    expect(parsed.success, parsed.success ? "" : z.prettifyError(parsed.error)).toBe(true);
    // What was sent is already the wire form: parsing it again changes nothing.
    if (parsed.success) expect(JSON.parse(JSON.stringify(parsed.data))).toEqual(res.body);
  });
});
