/**
 * GCP targeted discovery (`discoverNodes`) against the simulator through the real client libraries: a
 * project or folder read by name says what a full sweep says about it, in one call, and what is not in
 * the organization reads as null.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GcpDemo, type GcpSim, seedGcpDemo, startGcpSim } from "@parapet/cloud-sim/gcp/index";
import { simulatorEgress } from "../egress/index.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { createGcpAdapter } from "./adapter.ts";
import { ZGcpCredentials } from "./credentials.ts";

describe("GCP discoverNodes", () => {
  let sim: GcpSim;
  let demo: GcpDemo;
  let adapter: CloudAdapter;
  beforeAll(async () => {
    sim = await startGcpSim({ throttle: false });
    demo = seedGcpDemo(sim);
    adapter = createGcpAdapter({
      workspaceId: "ws_gcp_nodes",
      egress: simulatorEgress(),
      endpoint: sim.url,
      credentials: ZGcpCredentials.parse({ type: "service_account_key", key: demo.serviceAccount.keyFile }),
      facts: { organizationId: demo.orgId },
    });
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  it("reads a moved, relabelled project, a new folder and the organization as a full sweep records them", async () => {
    const [first] = Object.values(demo.projects);
    const project = `projects/${first!.number}`;
    const folder = String(sim.createFolder(`organizations/${demo.orgId}`, "Incoming").name);
    sim.moveProject(project, folder);
    sim.setProjectLabels(project, { env: "prod", team: "payments" });
    const full = new Map((await adapter.discover()).nodes.map((n) => [n.externalId, n]));
    adapter.resetStats();
    const reads = await adapter.discoverNodes!([project, folder, `organizations/${demo.orgId}`]);
    for (const r of reads) expect(r.node).toEqual(full.get(r.externalId));
    expect(reads[0]!.node).toMatchObject({ parentExternalId: folder, labels: { env: "prod", team: "payments" } });
    expect(adapter.stats().byOperation).toEqual({ "crm.GetProject": 1, "crm.GetFolder": 1, "crm.GetOrganization": 1 });
  });

  it("reads another organization, or a name of no node, as null; refuses to guess about what it may not see", async () => {
    const reads = await adapter.discoverNodes!(["organizations/999", "billingAccounts/1"]);
    expect(reads.filter((r) => r.node !== null)).toEqual([]);
    // Google answers PERMISSION_DENIED for a folder that does not exist or is not visible: not "gone", an error
    // (core then falls back to a full sweep rather than removing anything).
    await expect(adapter.discoverNodes!(["folders/424242424242"])).rejects.toMatchObject({ kind: "auth" });
  });
});
