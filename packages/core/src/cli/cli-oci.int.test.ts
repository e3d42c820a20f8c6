import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOciSim, type OciDemoResult, type OciSim } from "@parapet/cloud-sim/oci/index";
import { identityClient } from "@parapet/cloud-sim/oci/sdk-clients";
import { runCli } from "./commands.ts";

let sim: OciSim;
let demo: OciDemoResult;

beforeAll(async () => {
  sim = await startOciSim({ seed: 7, throttle: false });
  demo = sim.seedDemo();
});
afterAll(async () => {
  await sim.close();
});

interface TPrinted {
  oci: {
    target: string;
    policies: { name: string; description: string; compartmentId: string; statements: string[]; freeformTags: Record<string, string> }[];
  }[];
}

describe("parapet compile --cloud oci", () => {
  it("prints policies that the OCI Identity API accepts as printed, one target after another", async () => {
    const c = demo.compartments;
    const file = join(mkdtempSync(join(tmpdir(), "parapet-cli-oci-")), "oci.yaml");
    writeFileSync(
      file,
      `version: 1
connections:
  oci:
    facts: { tenancyOcid: ${demo.credentials.tenancyId} }
    principals:
      connector: { groups: [ParapetConnector], principalIds: [${demo.credentials.userId}] }
guardrails:
  - id: agents-prod
    control: agent-no-destructive-actions
    scope: { oci: ["${c.Prod}"] }
  - id: agents-sandbox
    control: agent-no-destructive-actions
    scope: { oci: ["${c.Sandbox}"] }
  - id: backups
    control: backups-undeletable
`,
    );
    let out = "";
    let err = "";
    const code = await runCli(["compile", file, "--cloud", "oci"], { out: (t) => (out += t), err: (t) => (err += t) });
    expect(err).toBe("");
    expect(code).toBe(0);
    const printed = JSON.parse(out) as TPrinted;
    const policies = printed.oci.flatMap((t) => t.policies);
    expect(printed.oci.map((t) => t.target).sort()).toEqual([c.Prod, c.Sandbox, demo.credentials.tenancyId].sort());
    const id = identityClient(sim.url, demo.credentials);
    for (const p of policies) {
      const r = await id.createPolicy({ createPolicyDetails: p });
      expect(r.policy.name).toBe(p.name);
    }
    expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
    // Each target's policies are attached to the target itself, as reconcile places them.
    for (const t of printed.oci) for (const p of t.policies) expect(p.compartmentId).toBe(t.target);
  });
});
