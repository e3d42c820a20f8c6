/**
 * Incremental discovery end to end for Azure (ARM simulator through the real SDK, real PostgreSQL): after the
 * first full sweep, random changes to the tenant made through the simulator's admin API (groups created,
 * renamed, moved and deleted; subscriptions created, moved, retagged, renamed and cancelled) reach a webhook as Event Grid
 * delivers them, and are handed to core the way the web route hands them over (parseCloudEvent →
 * recordEventReceipt de-duplication → noteHierarchyChange), duplicated and reordered. The node table after
 * the targeted reconcile equals what a full sweep of the same tenant records, and the discovery calls follow
 * what changed, not the tenant's size.
 */
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureSim, type AzureSim } from "@parapet/cloud-sim/azure/index";
import { mulberry32 } from "@parapet/cloud-sim/common/rng";
import { azureDemoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";
import { processReconcile } from "./reconcile.worker.ts";
import { deliverHierarchyEvent, expectSameTree, nodeTreeSnapshot, startEventHook, type EventHook } from "../testing/node-tree.ts";

const h = reconcileHarness();
const { prisma } = h;
const MG = "providers/Microsoft.Management/managementGroups/";
/** The ARM operations discovery makes: a sweep's listings, and the targeted reads. */
const SWEEP_OPS = ["ManagementGroups_GetDescendants", "Subscriptions_List"];
const TARGETED_OPS = ["ManagementGroups_Get", "Subscriptions_Get", "Entities_List"];

let sim: AzureSim;
let hook: EventHook;
beforeAll(async () => {
  sim = await startAzureSim({ throttle: false, seed: 15 });
  hook = await startEventHook();
});
afterAll(async () => {
  await hook.close();
  await sim.close();
});

/** One call to the simulator's admin API (HTTPS with its own certificate, as a test harness or the demo calls it). */
function admin(path: string, body: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${sim.url}/_admin/${path}`,
      { method: "POST", ca: sim.caPem, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString("utf8")));
        res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${path}: ${res.statusCode} ${text}`))));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const run = async (connectionId: string) => {
  const [r] = await processReconcile(h.deps(), { connectionId, trigger: "event" });
  expect(r!.status, r!.error).toBe("succeeded");
  return r!;
};

const count = (byOperation: Record<string, number>, ops: string[]) => ops.reduce((n, op) => n + (byOperation[op] ?? 0), 0);

/** Random changes a platform team makes in a day, through the admin API (each emits the event ARM would). */
async function changeTenant(seed: number, n: number) {
  const rand = mulberry32(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const st = sim.core.state;
  const groups = () => [...st.mgs.values()].map((g) => g.name);
  const nonRoot = () => groups().filter((g) => g.toLowerCase() !== st.rootKey);
  const subs = () => [...st.subs.values()];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.25) {
      const s = pick(subs());
      await admin("subscriptions/move", {
        subscriptionId: s.subscriptionId,
        managementGroup: pick(groups().filter((g) => g.toLowerCase() !== s.parent)),
      });
    } else if (r < 0.37) {
      await admin("subscriptions/tags", {
        subscriptionId: pick(subs()).subscriptionId,
        tags: { env: pick(["prod", "dev"]), owner: `team-${i}` },
      });
    } else if (r < 0.42) {
      const s = pick(subs().filter((x) => Object.keys(x.tags).length > 0));
      await admin("subscriptions/tags", { subscriptionId: s.subscriptionId, tags: {}, operation: "Replace" });
    } else if (r < 0.54) {
      const parent = pick(groups().filter((g) => st.mgDepth(g) < 4));
      const name = `new-mg-${seed}-${i}`;
      await admin("management-groups", { name, displayName: `New ${i}`, parent });
      await admin("subscriptions", { displayName: `in-new-${seed}-${i}`, managementGroup: name, tags: { owner: "newcomer" } });
    } else if (r < 0.62) {
      await admin("subscriptions", { displayName: `new-${seed}-${i}`, managementGroup: pick(groups()), tags: { env: "dev" } });
    } else if (r < 0.69) {
      await admin("management-groups", { name: pick(nonRoot()), displayName: `Renamed ${seed}-${i}` });
    } else if (r < 0.76) {
      await admin("subscriptions/rename", { subscriptionId: pick(subs()).subscriptionId, displayName: `renamed-${seed}-${i}` });
    } else if (r < 0.8) {
      // Cancelled: Disabled, and still in its group (as the sweep sees it) until Azure deletes it.
      await admin("subscriptions/cancel", { subscriptionId: pick(subs()).subscriptionId });
    } else if (r < 0.9) {
      // Move a group under another that is not its own descendant.
      const g = pick(nonRoot());
      const targets = groups().filter((t) => !st.mgChain(t).includes(g.toLowerCase()) && st.mgDepth(t) < 4);
      if (targets.length) await admin("management-groups", { name: g, parent: pick(targets) });
    } else {
      // Empty a group (its subscriptions and groups move up, as ARM requires), then delete it.
      const g = st.mgs.get(pick(nonRoot()).toLowerCase())!;
      const parent = st.mgs.get(g.parent!)!.name;
      for (const s of [...g.subSet])
        await admin("subscriptions/move", { subscriptionId: st.subs.get(s)!.subscriptionId, managementGroup: parent });
      for (const c of [...g.children]) await admin("management-groups", { name: st.mgs.get(c)!.name, parent });
      await admin("management-groups/delete", { name: g.name });
    }
  }
}

describe("incremental discovery (Azure)", () => {
  it("applies Event Grid events (groups, moves, new, renamed and cancelled subscriptions, tags) as a full sweep would, with calls following the changes", async () => {
    sim.seedAzureDemo();
    sim.seedAzureTenant({ subscriptions: 150, managementGroups: 20, depth: 3 });
    const inc = await h.connect(azureDemoSpec(sim));
    const first = await run(inc.connectionId);
    expect(first.calls.byOperation.ManagementGroups_GetDescendants).toBeGreaterThan(0);
    sim.configure({ webhook: { url: hook.url } });

    for (const round of [1, 2]) {
      hook.received.length = 0;
      await changeTenant(round * 31, 30);
      await sim.flushEvents();
      expect(hook.received.length).toBeGreaterThan(25);
      // Event Grid retries (duplicates) and does not order: everything twice, the second pass reversed.
      const named = new Set<string>();
      for (const e of [...hook.received].reverse())
        for (const id of await deliverHierarchyEvent(prisma, "azure", inc.connectionId, e)) named.add(id);
      for (const e of hook.received) for (const id of await deliverHierarchyEvent(prisma, "azure", inc.connectionId, e)) named.add(id);

      const r = await run(inc.connectionId);
      // Targeted: no listing of the tenant; at most two reads per node the events named (a subscription is
      // Subscriptions_Get + Entities_List, a group one ManagementGroups_Get).
      expect(count(r.calls.byOperation, SWEEP_OPS)).toBe(0);
      expect(count(r.calls.byOperation, TARGETED_OPS)).toBeGreaterThan(0);
      expect(count(r.calls.byOperation, TARGETED_OPS)).toBeLessThanOrEqual(2 * named.size);
      expect(await prisma.hierarchyChange.count({ where: { connectionId: inc.connectionId } })).toBe(0);

      const ref = await h.connect(azureDemoSpec(sim));
      await run(ref.connectionId);
      expectSameTree(await nodeTreeSnapshot(prisma, inc.connectionId), await nodeTreeSnapshot(prisma, ref.connectionId));
      await prisma.connection.delete({ where: { id: ref.connectionId } });
    }

    // One retag in a tenant of ~180 subscriptions: two reads.
    hook.received.length = 0;
    const one = [...sim.core.state.subs.values()][0]!;
    await admin("subscriptions/tags", { subscriptionId: one.subscriptionId, tags: { data: "regulated" } });
    await sim.flushEvents();
    for (const e of hook.received) await deliverHierarchyEvent(prisma, "azure", inc.connectionId, e);
    const r = await run(inc.connectionId);
    expect(Object.fromEntries(TARGETED_OPS.concat(SWEEP_OPS).map((op) => [op, r.calls.byOperation[op] ?? 0]))).toEqual({
      ManagementGroups_Get: 0,
      Subscriptions_Get: 1,
      Entities_List: 1,
      ManagementGroups_GetDescendants: 0,
      Subscriptions_List: 0,
    });
    const node = await prisma.node.findFirstOrThrow({
      where: { connectionId: inc.connectionId, externalId: `subscriptions/${one.subscriptionId}` },
    });
    expect(node.cloudLabels).toMatchObject({ data: "regulated" });
  }, 180_000); // three full sweeps of ~180 subscriptions beside the rounds on a loaded 2-core machine (a hang guard)

  it("removes a deleted group an event spells in another case (ARM ids are case-insensitive)", async () => {
    sim.seedAzureDemo();
    await admin("management-groups", { name: "Short-Lived", parent: "sandbox" });
    const c = await h.connect(azureDemoSpec(sim));
    await run(c.connectionId);
    expect((await nodeTreeSnapshot(prisma, c.connectionId))[`${MG}Short-Lived`]).toMatchObject({ state: "active" });
    hook.received.length = 0;
    await admin("management-groups/delete", { name: "Short-Lived" });
    await sim.flushEvents();
    const shouted = (hook.received.flat() as Array<{ subject: string; data: { resourceUri: string } }>).map((e) => ({
      ...e,
      subject: e.subject.toUpperCase(),
      data: { ...e.data, resourceUri: e.data.resourceUri.toUpperCase() },
    }));
    expect(await deliverHierarchyEvent(prisma, "azure", c.connectionId, shouted)).toEqual([`${MG}SHORT-LIVED`]);
    const r = await run(c.connectionId);
    expect(count(r.calls.byOperation, SWEEP_OPS)).toBe(0);
    expect((await nodeTreeSnapshot(prisma, c.connectionId))[`${MG}Short-Lived`]).toMatchObject({ state: "removed" });
  });

  it("never lets an event create a node the tenant's root group does not hold", async () => {
    sim.seedAzureDemo();
    const c = await h.connect(azureDemoSpec(sim));
    await run(c.connectionId);
    const before = await nodeTreeSnapshot(prisma, c.connectionId);
    // Well-formed ids of nothing in this tenant: a subscription and a management group.
    const forged = (id: string, operationName: string, subject: string) => [
      { id: `forged-${id}`, eventType: "Microsoft.Resources.ResourceWriteSuccess", subject, data: { operationName } },
    ];
    await deliverHierarchyEvent(
      prisma,
      "azure",
      c.connectionId,
      forged(
        "s",
        "Microsoft.Management/managementGroups/subscriptions/write",
        "/providers/Microsoft.Management/managementGroups/sandbox/subscriptions/0b0b0b0b-1111-4222-8333-444444444444",
      ),
    );
    await deliverHierarchyEvent(
      prisma,
      "azure",
      c.connectionId,
      forged("g", "Microsoft.Management/managementGroups/write", "/providers/Microsoft.Management/managementGroups/elsewhere"),
    );
    const r = await run(c.connectionId);
    expect(count(r.calls.byOperation, SWEEP_OPS)).toBe(0);
    expect(r.calls.byOperation).toMatchObject({ Subscriptions_Get: 1, ManagementGroups_Get: 1 });
    expect(await nodeTreeSnapshot(prisma, c.connectionId)).toEqual(before);
    expect(before[`${MG}sandbox`]).toBeDefined();
  });
});
