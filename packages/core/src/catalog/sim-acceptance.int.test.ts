/**
 * Every control's compiled Azure policy definitions, GCP deny rules and GCP custom constraints, with
 * their default parameters and in both modes, are accepted by the simulators, which refuse what the
 * real APIs refuse (unknown aliases, unsupported denyAction details, permissions deny policies do not
 * support, CEL that does not compile). A control that starts emitting something the cloud would refuse
 * fails here before it reaches a customer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APP, startAzureSim, type AzureSim } from "@parapet/cloud-sim/azure/index";
import { policyClient } from "@parapet/cloud-sim/azure/test-clients";
import { denyParent, denyPoliciesClient } from "@parapet/cloud-sim/gcp/clients";
import { type GcpDemo, type GcpSim, seedGcpDemo, startGcpSim } from "@parapet/cloud-sim/gcp/index";
import { listControls } from "./catalog.ts";
import { exampleArtifacts } from "./golden.ts";
import type { TAzureFragment, TGcpFragment } from "./types.ts";

let azure: AzureSim;
let gcp: GcpSim;
let demo: GcpDemo;
let azureToken: string;

beforeAll(async () => {
  azure = await startAzureSim({ demo: true, throttle: false });
  azure.seedAzureDemo();
  azureToken = azure.issueToken(DEMO_APP.appId);
  gcp = await startGcpSim({ throttle: false, lroPolls: 0 });
  demo = seedGcpDemo(gcp);
});
afterAll(async () => {
  await azure.close();
  await gcp.close();
});

const MODES = ["enforce", "audit"] as const;

describe("Azure accepts every compiled policy definition", () => {
  for (const control of listControls()) {
    it(control.id, async () => {
      const pc = policyClient(azure, azureToken);
      for (const mode of MODES) {
        const { fragment } = exampleArtifacts(control, "azure", {}, mode) as { fragment: TAzureFragment };
        for (const part of fragment.policies) {
          const d = part.definition;
          const created = await pc.policyDefinitions.createOrUpdateAtManagementGroup("landing-zones", d.name, d.properties);
          expect(created.name).toBe(d.name);
          await pc.policyDefinitions.deleteAtManagementGroup("landing-zones", d.name);
        }
      }
    });
  }
});

describe("GCP accepts every compiled deny rule and custom constraint", () => {
  for (const control of listControls()) {
    it(control.id, async () => {
      const kf = demo.serviceAccount.keyFile;
      const c = denyPoliciesClient(gcp.port, { credentials: { client_email: kf.client_email, private_key: kf.private_key } });
      const parent = denyParent(demo.folders.Sandbox ?? "");
      for (const mode of MODES) {
        const { fragment } = exampleArtifacts(control, "gcp", {}, mode) as { fragment: TGcpFragment };
        if (fragment.denyRules.length > 0) {
          const [op] = await c.createPolicy({ parent, policyId: "parapet-acceptance", policy: { rules: fragment.denyRules } });
          await op.promise();
          const [del] = await c.deletePolicy({ name: `${parent}/parapet-acceptance` });
          await del.promise();
        }
        for (const cc of fragment.customConstraints) {
          const url = `${gcp.url}/v2/${cc.name.split("/customConstraints/")[0]}/customConstraints?$alt=json%3Benum-encoding=int`;
          const res = await fetch(url, {
            method: "POST",
            headers: { authorization: `Bearer ${demo.serviceAccount.token}`, "content-type": "application/json" },
            body: JSON.stringify(cc),
          });
          expect(res.status, `${cc.name}: ${await res.clone().text()}`).toBe(200);
          const gone = await fetch(`${gcp.url}/v2/${cc.name}?$alt=json%3Benum-encoding=int`, {
            method: "DELETE",
            headers: { authorization: `Bearer ${demo.serviceAccount.token}` },
          });
          expect(gone.status).toBe(200);
        }
      }
    });
  }
});
