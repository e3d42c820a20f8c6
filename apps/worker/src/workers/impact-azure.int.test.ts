/**
 * Would-have-blocked on the Azure simulator, through the real Activity Log SDK. Discovery records a
 * subscription as `subscriptions/<id>`; the Activity Log names it by its bare id (EventData.subscriptionId,
 * https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema). Both forms must
 * meet: a replay that matched only the recorded form put every Azure call in an "unknown environment"
 * and judged none (impact/audit-nodes.ts).
 */
import { describe, expect, it } from "vitest";
import type { Actor } from "@parapet/core/common/actor";
import { createGuardrail } from "@parapet/core/guardrails/create-guardrail";
import { requestImpact } from "@parapet/core/impact/request-impact";
import { runImpactReport } from "@parapet/core/impact/run-impact";
import { demoSims, demoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";

const h = reconcileHarness();
const sims = demoSims();
const { prisma } = h;

describe("impact replay over the Azure Activity Log", () => {
  it("a write the guardrail's policy would deny is judged in its subscription (stored as subscriptions/<id>, logged as the bare id)", async () => {
    const azure = sims().azure;
    const { workspaceId, connectionId } = await h.connect(demoSpec(sims(), "azure"), "Azure tenant");
    await h.run(connectionId);
    const subs = await prisma.node.findMany({ where: { connectionId, isEnvironment: true }, orderBy: { name: "asc" } });
    const sub = subs[0]!;
    expect(sub.externalId).toMatch(/^subscriptions\/[0-9a-f-]{36}$/i);
    const bareId = sub.externalId.replace(/^subscriptions\//, "");
    const queued: string[] = [];
    const deps = {
      prisma,
      jobs: {
        requestReconcile: async () => undefined,
        enqueueConnectionTask: async () => "",
        requestImpact: async (id: string) => void queued.push(id),
      },
    };
    const actor: Actor = { workspaceId, userId: "user_impact_az", role: "author", kind: "user", label: "author@example.test" };
    const g = await createGuardrail(deps, actor, {
      controlId: "no-public-data",
      name: "No public data",
      params: {},
      scope: { all: true },
      mode: "audit",
      remediation: "auto",
    });
    const caller = { objectId: "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", upn: "dev@acme.example" };
    // An hour ago, succeeded (the guardrail is in audit): what enforce would have refused.
    azure.appendActivity([
      {
        time: new Date(Date.now() - 3_600_000),
        operationName: "Microsoft.Storage/storageAccounts/write",
        resourceId: `/subscriptions/${bareId}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/pubreplay1`,
        method: "PUT",
        caller,
        requestBody: { location: "westeurope", kind: "StorageV2", properties: { allowBlobPublicAccess: true } },
        httpStatus: 200,
      },
    ]);
    await requestImpact(deps, actor, g.id, { days: 1 });
    expect(queued).toHaveLength(1);
    const done = await runImpactReport({ prisma, keys: h.keys, adapterFor: h.deps().adapterFor, workerId: "impact-az" }, queued[0]!);
    expect(done.status).toBe("done");
    const s = done.summary!;
    const mine = s.groups.filter((x) => x.principal === caller.objectId);
    expect(
      mine.map((x) => [x.action, x.environment, x.environmentId, x.count]),
      JSON.stringify(s),
    ).toEqual([["Microsoft.Storage/storageAccounts/write", sub.name, sub.id, 1]]);
    expect(s.judged).toBeGreaterThan(0);
  });
});
