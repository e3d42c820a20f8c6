/**
 * OCI targeted discovery (`discoverNodes`) against the simulator through the real SDK: a compartment
 * (or the tenancy) read by OCID says what a full sweep says about it in two calls, a deleted one reads
 * as gone, and a 404 NotAuthorizedOrNotFound — which OCI answers alike for "missing" and "not allowed" —
 * is an error, never taken for "gone".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOciSim, type OciDemoResult, type OciSim } from "@parapet/cloud-sim/oci/index";
import { simulatorEgress } from "../egress/index.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { createOciAdapter, type TOciCredentials } from "./adapter.ts";

const credsOf = (c: { tenancyId: string; userId: string; fingerprint: string; privateKeyPem: string }): TOciCredentials => ({
  tenancyId: c.tenancyId,
  userId: c.userId,
  fingerprint: c.fingerprint,
  privateKeyPem: c.privateKeyPem,
  region: "eu-frankfurt-1",
});

describe("OCI discoverNodes", () => {
  let sim: OciSim;
  let demo: OciDemoResult;
  let adapter: CloudAdapter;
  const make = (credentials: TOciCredentials) =>
    createOciAdapter({
      workspaceId: "ws_oci_nodes",
      egress: simulatorEgress(),
      endpoint: sim.url,
      credentials,
      retry: { attempts: 1, baseMs: 1, maxMs: 1 },
    });
  beforeAll(async () => {
    sim = await startOciSim({ seed: 7, throttle: false });
    demo = sim.seedDemo();
    adapter = make(credsOf(demo.credentials));
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  it("reads a moved, retagged compartment, its new parent, a new leaf and the tenancy as a full sweep records them", async () => {
    const sandbox = demo.compartments.Sandbox!;
    const prod = demo.compartments.Prod!;
    sim.human.moveCompartment(sandbox, prod);
    sim.human.tagCompartment(sandbox, { freeformTags: { env: "prod", team: "payments" }, definedTags: { Ops: { CostCenter: "42" } } });
    const fresh = sim.human.createCompartment(sandbox, "Payments-Api", { freeformTags: { env: "prod" } }).id;
    const full = new Map((await adapter.discover()).nodes.map((n) => [n.externalId, n]));
    adapter.resetStats();
    const ids = [sandbox, fresh, prod, demo.credentials.tenancyId];
    const reads = await adapter.discoverNodes!(ids);
    expect(reads.map((r) => r.externalId)).toEqual(ids);
    for (const r of reads) expect(r.node, r.externalId).toEqual(full.get(r.externalId));
    expect(reads[0]!.node).toMatchObject({
      parentExternalId: prod,
      isEnvironment: false, // it holds Payments-Api now
      labels: { env: "prod", team: "payments", "Ops.CostCenter": "42" },
    });
    expect(reads[1]!.node).toMatchObject({ parentExternalId: sandbox, isEnvironment: true });
    // Two calls a node: the compartment (GetTenancy for the root) and one item of its children.
    expect(adapter.stats().byOperation).toEqual({ GetCompartment: 3, GetTenancy: 1, ListCompartments: 4 });
  });

  it("reads a deleted compartment, another tenancy's root and an OCID that is no compartment as gone", async () => {
    const test = demo.compartments["NonProd/Test"]!;
    expect(sim.human.deleteCompartment(test)).toBe("SUCCEEDED");
    // Still readable, as DELETED with a suffixed name: not in the tree a sweep records.
    const gone = sim.store.getCompartment(test);
    expect(gone.lifecycleState).toBe("DELETED");
    expect(gone.name).toMatch(/^Test\.\w{8}$/);
    adapter.resetStats();
    const reads = await adapter.discoverNodes!([test, "ocid1.tenancy.oc1..aaaaaaaaother", demo.customerPolicyIds[0]!]);
    expect(reads.map((r) => r.node)).toEqual([null, null, null]);
    expect(adapter.stats().byOperation).toEqual({ GetCompartment: 1 });
    expect((await adapter.discover()).nodes.some((n) => n.externalId === test)).toBe(false);
  });

  it("refuses to guess from 404 NotAuthorizedOrNotFound: a purged or hidden compartment is an error, not gone", async () => {
    // A compartment OCID the tenancy has never had (or purged 90 days after deletion).
    await expect(adapter.discoverNodes!(["ocid1.compartment.oc1..aaaaaaaanosuchcompartment"])).rejects.toMatchObject({
      kind: "not_found",
      code: "NotAuthorizedOrNotFound",
    });
    // A connector that lost `inspect compartments` sees the same 404 for a live compartment.
    const blind = sim.createUser({ permissions: ["GetTenancy", "ListCompartments"] });
    const a = make(credsOf({ ...demo.credentials, ...blind }));
    try {
      await expect(a.discoverNodes!([demo.compartments.Security!])).rejects.toMatchObject({ kind: "not_found" });
    } finally {
      await a.close();
    }
  });
});
