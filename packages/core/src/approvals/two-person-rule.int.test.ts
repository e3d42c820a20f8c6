/**
 * The two-person rule against a cloud: a GCP organisation in the simulator, the real GCP adapter
 * (Google's SDKs) and the real reconciler. A weakening change that is only requested leaves the cloud
 * exactly as it was; once a different member approves, the next reconcile changes it.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedGcpDemo, startGcpSim, type GcpDemo, type GcpSim } from "@parapet/cloud-sim/gcp/index";
import { createGcpAdapter } from "@parapet/providers/gcp/adapter";
import { parseEgressAllowlist, simulatorEgress } from "@parapet/providers/egress/index";
import { ZGcpCredentials } from "@parapet/providers/gcp/credentials";
import type { JobPort } from "../common/actor.ts";
import { AppError } from "../common/errors.ts";
import { parseMasterKey } from "../common/crypto.ts";
import { createConnection } from "../connections/create-connection.ts";
import { createGuardrail } from "../guardrails/create-guardrail.ts";
import { updateGuardrail } from "../guardrails/update-guardrail.ts";
import { requestGuardrailRemoval } from "../guardrails/request-guardrail-removal.ts";
import { requestExemption } from "../exemptions/request-exemption.ts";
import { reconcileConnection } from "../reconcile/reconcile-connection.ts";
import { createTestUser, createTestWorkspace, testPrisma } from "../testing/db.ts";
import { decideApproval } from "./decide-approval.ts";
import type { Actor } from "../common/actor.ts";

const prisma = testPrisma();
const master = parseMasterKey("k-test", randomBytes(32).toString("base64"));
const keys = { current: master, all: [master] };
const requested: string[] = [];
const jobs: JobPort = {
  requestReconcile: async (j) => {
    requested.push(j.connectionId);
  },
  enqueueConnectionTask: async (j) => `task__${j.connectionId}__${j.task}`,
  requestImpact: async () => undefined,
};
// The simulator listens on 127.0.0.1, which only an operator allowlist admits as an endpoint.
const deps = { prisma, jobs, keys: () => keys, egressAllowlist: parseEgressAllowlist("127.0.0.1") };

let sim: GcpSim;
let demo: GcpDemo;

beforeAll(async () => {
  sim = await startGcpSim({ throttle: false });
  demo = seedGcpDemo(sim);
}, 60_000);
afterAll(async () => {
  await sim.close();
  await prisma.$disconnect();
});

async function setup() {
  // Each scenario gets a fresh organisation (the demo seed resets the simulator).
  demo = seedGcpDemo(sim);
  // The demo organisation has its own resource-locations policy; this test watches Parapet's alone.
  sim.deleteOrgPolicy(demo.customerPolicies[0]!);
  const ws = await createTestWorkspace(prisma);
  const actor = async (role: "admin" | "approver" | "author"): Promise<Actor> => {
    const u = await createTestUser(prisma, ws.id, role);
    return { workspaceId: ws.id, userId: u.id, role, kind: "user", label: u.email };
  };
  const admin = await actor("admin");
  const approver = await actor("approver");
  const conn = await createConnection(deps, admin, {
    cloud: "gcp",
    name: "GCP org",
    endpoint: sim.url,
    credentials: { type: "service_account_key", key: demo.serviceAccount.keyFile },
    facts: { organizationId: demo.orgId, directoryCustomerId: "C03abcdef" },
    principals: { connector: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${demo.serviceAccount.email}`] },
  });
  await prisma.connection.update({ where: { id: conn.id }, data: { status: "active" } });
  const reconcile = () =>
    reconcileConnection(
      {
        prisma,
        keys,
        workerId: "test-worker",
        adapterFor: (req) =>
          createGcpAdapter({
            workspaceId: req.workspaceId,
            egress: simulatorEgress(),
            endpoint: req.endpoint ?? undefined,
            credentials: ZGcpCredentials.parse(req.credentials),
            facts: { organizationId: demo.orgId },
            retry: { attempts: 4, baseMs: 10, maxMs: 50 },
          }),
      },
      conn.id,
      { trigger: "manual", discover: true },
    );
  return { ws, admin, approver, conn, reconcile };
}

/** Parapet's resource-locations policies as the cloud holds them. */
const locationPolicies = () =>
  sim
    .snapshot()
    .policies.filter((p) => p.constraint === "gcp.resourceLocations")
    .map((p) => ({
      resource: p.resource,
      spec: JSON.parse(JSON.stringify(p.spec ?? null)) as unknown,
      dryRunSpec: JSON.parse(JSON.stringify(p.dryRunSpec ?? null)) as unknown,
    }))
    .sort((a, b) => (a.resource < b.resource ? -1 : 1));

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
};

describe("two-person rule against the cloud", () => {
  it("enforce → audit: nothing changes until a different member approves; the requester cannot approve", async () => {
    const { admin, approver, reconcile } = await setup();
    const g = await createGuardrail(deps, admin, {
      controlId: "restrict-regions",
      name: "EU only",
      params: {},
      scope: { all: true },
      mode: "enforce",
      remediation: "auto",
    });
    expect((await reconcile()).status).toBe("succeeded");
    const enforced = locationPolicies();
    expect(enforced.some((p) => JSON.stringify(p.spec).includes("in:eu-locations"))).toBe(true);

    const out = await updateGuardrail(deps, admin, g.id, { mode: "audit", note: "too noisy" });
    expect(out.kind).toBe("approval");
    if (out.kind !== "approval") return;
    expect(out.approval.reasons).toContain("mode: enforce → audit");
    expect((await reconcile()).plan?.changes).toEqual([]);
    expect(locationPolicies()).toEqual(enforced);

    const self = await rejection(decideApproval(deps, admin, out.approval.id, "approve", undefined));
    expect(self).toBeInstanceOf(AppError);
    expect((self as AppError).status).toBe(403);
    expect((self as AppError).message).toBe("you cannot approve your own request");
    expect((await reconcile()).plan?.changes).toEqual([]);
    expect(locationPolicies()).toEqual(enforced);

    requested.length = 0;
    const decided = await decideApproval(deps, approver, out.approval.id, "approve", "ok for a week");
    expect(decided.status).toBe("approved");
    expect(requested.length).toBeGreaterThan(0);
    await reconcile();
    const after = locationPolicies();
    expect(after).not.toEqual(enforced);
    // Audit mode: gcp.resourceLocations takes no dry-run policy (GCP refuses one: catalog/compilers/
    // providers gcp/dry-run.ts), so Parapet's rule leaves the live spec and is compiled, not attached.
    expect(after.every((p) => p.dryRunSpec === null)).toBe(true);
  });

  it("a rejected disable and an unapproved exemption leave the cloud as it is; an approved disable makes the reconciler remove the policy", async () => {
    const { ws, admin, approver, reconcile } = await setup();
    const g = await createGuardrail(deps, admin, {
      controlId: "restrict-regions",
      name: "EU only",
      params: {},
      scope: { all: true },
      mode: "enforce",
      remediation: "auto",
    });
    await reconcile();
    const enforced = locationPolicies();
    expect(enforced.length).toBeGreaterThan(0);

    const project = await prisma.node.findFirstOrThrow({ where: { workspaceId: ws.id, isEnvironment: true } });
    const ex = await requestExemption(deps, admin, {
      guardrailId: g.id,
      nodeId: project.id,
      reason: "migration",
      ownerEmail: "o@example.com",
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(ex.exemption.status).toBe("pending_approval");
    expect((await reconcile()).plan?.changes).toEqual([]);
    expect(locationPolicies()).toEqual(enforced);
    await decideApproval(deps, approver, ex.approval.id, "reject", "no");

    const disable = await requestGuardrailRemoval(deps, admin, g.id, "disable");
    expect((await reconcile()).plan?.changes).toEqual([]);
    expect(locationPolicies()).toEqual(enforced);
    const rejected = await decideApproval(deps, approver, disable.id, "reject", "keep it");
    expect(rejected.status).toBe("rejected");
    expect((await reconcile()).plan?.changes).toEqual([]);
    expect(locationPolicies()).toEqual(enforced);
    expect((await prisma.guardrail.findUniqueOrThrow({ where: { id: g.id } })).status).toBe("active");

    const again = await requestGuardrailRemoval(deps, admin, g.id, "disable");
    await decideApproval(deps, approver, again.id, "approve", undefined);
    // Approved: the reconciler now removes the guardrail's policy (detach, then delete).
    const r = await reconcile();
    expect(r.plan?.changes.map((c) => `${c.cause} ${c.change.op}`)).toEqual(["cleanup detach", "cleanup delete"]);
  });
});
