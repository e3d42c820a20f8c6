/**
 * Azure targeted discovery (`discoverNodes`) against the simulator through the real SDK clients: a
 * management group or subscription read by id says what a full sweep says about it, in one call for a
 * group and two for a subscription; what is gone or outside the connection's root reads as null; a
 * refusal is an error (core then sweeps instead of guessing).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureSim, type AzureSim, type DemoInfo } from "@parapet/cloud-sim/azure/index";
import { simulatorEgress } from "../egress/index.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { createAzureAdapter } from "./adapter.ts";

const MG = "providers/Microsoft.Management/managementGroups/";
const FAST_RETRY = { attempts: 3, baseMs: 10, maxMs: 200 };

describe("Azure discoverNodes", () => {
  let sim: AzureSim;
  let demo: DemoInfo;
  const adapters: CloudAdapter[] = [];
  const adapterFor = (app: { appId: string; secret: string }, root: string): CloudAdapter => {
    const a = createAzureAdapter({
      workspaceId: "ws_azure_nodes",
      egress: simulatorEgress(),
      credentials: { kind: "client-secret", tenantId: sim.tenantId, clientId: app.appId, clientSecret: app.secret },
      endpoint: sim.url,
      authorityHost: sim.authorityHost,
      tlsCa: sim.caPem,
      facts: { rootManagementGroupId: root },
      retry: FAST_RETRY,
    });
    adapters.push(a);
    return a;
  };
  beforeAll(async () => {
    sim = await startAzureSim({ seed: 7, throttle: false });
    demo = sim.seedAzureDemo();
  });
  afterAll(async () => {
    for (const a of adapters) await a.close();
    await sim.close();
  });

  it("reads a moved, retagged subscription, a new group and the root as a full sweep records them", async () => {
    const adapter = adapterFor(demo.app, sim.rootManagementGroupId);
    const sub = demo.subscriptions.find((s) => s.managementGroup === "corp-prod")!.subscriptionId;
    sim.addManagementGroup("incoming", "Incoming", "landing-zones");
    sim.moveSubscription(sub, "incoming");
    sim.tagSubscription(sub, { env: "prod", team: "payments" }, "Replace");
    const full = new Map((await adapter.discover()).nodes.map((n) => [n.externalId, n]));
    adapter.resetStats();
    const ids = [`subscriptions/${sub}`, `${MG}incoming`, `${MG}${sim.rootManagementGroupId}`];
    const reads = await adapter.discoverNodes!(ids);
    expect(reads.map((r) => r.externalId)).toEqual(ids);
    for (const r of reads) expect(r.node).toEqual(full.get(r.externalId));
    expect(reads[0]!.node).toMatchObject({ parentExternalId: `${MG}incoming`, labels: { env: "prod", team: "payments" } });
    expect(adapter.stats().byOperation).toEqual({ Subscriptions_Get: 1, Entities_List: 1, ManagementGroups_Get: 2 });
  });

  it("reads a deleted group, an unknown subscription and ids of no node as null", async () => {
    const adapter = adapterFor(demo.app, sim.rootManagementGroupId);
    sim.addManagementGroup("short-lived", undefined, "sandbox");
    sim.deleteManagementGroup("short-lived");
    const reads = await adapter.discoverNodes!([
      `${MG}short-lived`,
      "subscriptions/00000000-0000-4000-8000-000000000000",
      "subscriptions/not-a-subscription-id",
      "resourceGroups/rg-1",
    ]);
    expect(reads.map((r) => r.node)).toEqual([null, null, null, null]);
  });

  it("reads a group or subscription outside the connection's root group as null", async () => {
    // Rooted at Landing Zones: Platform and Sandbox, and a subscription moved into Sandbox, are not ours.
    const adapter = adapterFor(demo.app, "landing-zones");
    const leaving = demo.subscriptions.find((s) => s.managementGroup === "corp-nonprod")!.subscriptionId;
    sim.moveSubscription(leaving, "sandbox");
    const staying = demo.subscriptions.find((s) => s.managementGroup === "online")!.subscriptionId;
    const reads = await adapter.discoverNodes!([`${MG}platform`, `${MG}identity`, `subscriptions/${leaving}`, `subscriptions/${staying}`]);
    expect(reads.slice(0, 3).map((r) => r.node)).toEqual([null, null, null]);
    expect(reads[3]!.node).toMatchObject({ kind: "subscription", parentExternalId: `${MG}online`, isEnvironment: true });
    const full = new Map((await adapter.discover()).nodes.map((n) => [n.externalId, n]));
    expect(reads[3]!.node).toEqual(full.get(`subscriptions/${staying}`));
    expect(full.has(`subscriptions/${leaving}`)).toBe(false);
  });

  it("throws on a refusal instead of reading it as gone", async () => {
    // An app that may read one subscription and nothing above it.
    const sub = demo.subscriptions[0]!.subscriptionId;
    const app = sim.registerApp({
      displayName: "narrow",
      secret: "narrow-secret",
      grants: [{ role: "Reader", scope: `/subscriptions/${sub}` }],
    });
    const adapter = adapterFor({ appId: app.appId, secret: "narrow-secret" }, sim.rootManagementGroupId);
    await expect(adapter.discoverNodes!([`${MG}platform`])).rejects.toMatchObject({ kind: "auth", code: "AuthorizationFailed" });
    const other = demo.subscriptions[1]!.subscriptionId;
    await expect(adapter.discoverNodes!([`subscriptions/${other}`])).rejects.toMatchObject({ kind: "auth", code: "AuthorizationFailed" });
  });
});
