/**
 * Incremental discovery end to end for OCI (simulator through the real SDK, real PostgreSQL): after the first
 * full sweep, the OCI Events messages the simulator pushes to a webhook for compartment changes made through
 * its admin API (moves, retags, renames, new compartments, a deletion) update the node table by targeted
 * reads — two calls per compartment the events named — and the result equals what a full sweep records,
 * environments (the leaf compartments) included. Events reach core the way the webhook hands them over
 * (parseCloudEvent → recordEventReceipt de-duplication → noteHierarchyChange), after the HMAC check the web
 * route's own test covers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { ociDemoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";
import { processReconcile } from "./reconcile.worker.ts";
import { deliverHierarchyEvent, expectSameTree, nodeTreeSnapshot, startEventHook, type EventHook } from "../testing/node-tree.ts";

const h = reconcileHarness();
const { prisma } = h;

let sim: OciSim;
let hook: EventHook;
beforeAll(async () => {
  sim = await startOciSim({ seed: 21, throttle: false });
  sim.seedDemo();
  // A deeper tree under the demo's: compartments with children, leaves, and tags to inherit.
  sim.seed({ compartments: 60, depth: 3, tags: true });
  hook = await startEventHook();
  sim.configure({ webhook: { url: hook.url } });
});
afterAll(async () => {
  await hook.close();
  await sim.close();
});

const run = async (connectionId: string) => {
  const [r] = await processReconcile(h.deps(), { connectionId, trigger: "event" });
  expect(r!.status, r!.error).toBe("succeeded");
  return r!;
};

/** The simulator's admin API, as a person's Console changes reach it. */
async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}/_admin${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status, `${method} ${path}`).toBe(200);
  return (await res.json()) as { id?: string; status?: string };
}

const active = () => [...sim.store.compartments.values()].filter((c) => c.lifecycleState === "ACTIVE");
const childrenOf = (id: string) => active().filter((c) => c.compartmentId === id);

describe("incremental discovery (OCI)", () => {
  it("applies compartment events (moves, retags, renames, new and deleted compartments) as a full sweep would", async () => {
    const spec = ociDemoSpec(sim);
    const inc = await h.connect(spec);
    const first = await run(inc.connectionId);
    expect(first.calls.byOperation.GetTenancy).toBe(1);

    const leaves = active().filter((c) => childrenOf(c.id).length === 0 && c.name.startsWith("seed"));
    const parents = active().filter((c) => childrenOf(c.id).length > 1 && c.name.startsWith("seed"));
    expect(leaves.length).toBeGreaterThan(6);
    expect(parents.length).toBeGreaterThan(1);
    // A leaf moves under another leaf: the target stops being an environment.
    const [moved, target, doomed, renamed] = leaves;
    await admin("POST", `/compartments/${moved!.id}/move`, { targetCompartmentId: target!.id });
    // A parent is retagged: its whole subtree inherits the labels; another one is renamed.
    await admin("PUT", `/compartments/${parents[0]!.id}/tags`, { freeformTags: { env: "prod", data: "regulated" } });
    sim.store.updateCompartment(renamed!.id, { name: `${renamed!.name}-renamed` }, undefined, {
      principalId: sim.humanUserId,
      via: "admin",
    });
    // A new compartment under a leaf, and a leaf deleted (an only child leaves its parent a leaf again).
    const fresh = await admin("POST", "/compartments", {
      parentId: leaves[4]!.id,
      name: "Payments-Api",
      freeformTags: { team: "payments" },
    });
    expect((await admin("DELETE", `/compartments/${doomed!.id}`)).status).toBe("SUCCEEDED");
    await sim.flushEvents();
    const named = new Set(hook.received.map((e) => (e as { data: { resourceId: string } }).data.resourceId));
    // Each event names the compartment it changed (a move names the moved one, not its old or new parent).
    expect(named).toEqual(new Set([moved!.id, parents[0]!.id, renamed!.id, fresh.id, doomed!.id]));

    // Delivered twice and out of order (OCI Events may retry, and does not order).
    for (const e of [...hook.received].reverse()) await deliverHierarchyEvent(prisma, "oci", inc.connectionId, e);
    for (const e of hook.received) await deliverHierarchyEvent(prisma, "oci", inc.connectionId, e);
    const r = await run(inc.connectionId);
    // Targeted: one GetCompartment per named compartment, one child probe per live one, no sweep (GetTenancy).
    expect(r.calls.byOperation.GetTenancy ?? 0).toBe(0);
    expect(r.calls.byOperation.GetCompartment).toBe(named.size);
    expect(r.calls.byOperation.ListCompartments).toBe(named.size - 1);
    expect(await prisma.hierarchyChange.count({ where: { connectionId: inc.connectionId } })).toBe(0);

    // What a full sweep of the same tenancy records, on a connection of its own.
    const ref = await h.connect(spec);
    await run(ref.connectionId);
    const want = await nodeTreeSnapshot(prisma, ref.connectionId);
    expectSameTree(await nodeTreeSnapshot(prisma, inc.connectionId), want);
    expect(want[target!.id]).toMatchObject({ isEnvironment: false });
    expect(want[fresh.id!]).toMatchObject({ parent: leaves[4]!.id, isEnvironment: true });
    expect(want[doomed!.id]).toBeUndefined();
    await prisma.connection.delete({ where: { id: ref.connectionId } });
  });

  it("sweeps instead of guessing when OCI answers 404 NotAuthorizedOrNotFound for a compartment an event names", async () => {
    const c = await h.connect(ociDemoSpec(sim));
    await run(c.connectionId);
    const before = await nodeTreeSnapshot(prisma, c.connectionId);
    // Well-formed, signed the way the webhook checks, and naming a compartment this tenancy does not have.
    await deliverHierarchyEvent(prisma, "oci", c.connectionId, {
      eventID: "forged-1",
      eventType: "com.oraclecloud.identitycontrolplane.deletecompartment",
      data: { resourceId: "ocid1.compartment.oc1..aaaaaaaanotinthistenancy", resourceName: "Elsewhere" },
    });
    const r = await run(c.connectionId);
    expect(r.calls.byOperation.GetCompartment).toBe(1);
    // The refusal fell back to the full sweep, which changed nothing.
    expect(r.calls.byOperation.GetTenancy).toBe(1);
    expect(await nodeTreeSnapshot(prisma, c.connectionId)).toEqual(before);
    expect(await prisma.hierarchyChange.count({ where: { connectionId: c.connectionId } })).toBe(0);
  });
});
