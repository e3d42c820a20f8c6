/**
 * What ARM refuses inside a policy rule beyond its structure: aliases it does not know
 * (InvalidPolicyAlias) and denyAction details it does not support (delete only; cascadeBehaviors only
 * in Indexed mode). Each refusal changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolicyDefinition } from "@azure/arm-policy";
import { DEMO_APP, startAzureSim, type AzureSim } from "./index.ts";
import { failure, policyClient } from "./test-clients.ts";

const MG = "landing-zones";

const denyAction = (details: Record<string, unknown>, mode = "Indexed"): PolicyDefinition => ({
  policyType: "Custom",
  mode,
  parameters: { effect: { type: "String", allowedValues: ["denyAction", "disabled"], defaultValue: "denyAction" } },
  policyRule: { if: { field: "type", equals: "Microsoft.KeyVault/vaults" }, then: { effect: "[parameters('effect')]", details } },
});

let sim: AzureSim;
let token: string;

beforeAll(async () => {
  sim = await startAzureSim({ demo: true, throttle: false });
  sim.seedAzureDemo();
  token = sim.issueToken(DEMO_APP.appId);
});
afterAll(async () => {
  await sim.close();
});

describe("policy rule validation", () => {
  it("refuses a field that is not an alias with ARM's InvalidPolicyAlias, naming provider, type and the supported aliases", async () => {
    const pc = policyClient(sim, token);
    const bad = await failure(
      pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-bad-alias", {
        policyType: "Custom",
        mode: "Indexed",
        policyRule: {
          if: {
            allOf: [
              { field: "type", equals: "Microsoft.Storage/storageAccounts" },
              { field: "Microsoft.Storage/storageAccounts/allowBlobPublicAcess", equals: true },
            ],
          },
          then: { effect: "deny" },
        },
      }),
    );
    expect(bad).toMatchObject({ statusCode: 400, code: "InvalidPolicyAlias" });
    expect(bad.message).toContain(
      "The 'field' property 'Microsoft.Storage/storageAccounts/allowBlobPublicAcess' of the policy rule doesn't exist as an alias under provider 'Microsoft.Storage' and resource type 'storageAccounts'.",
    );
    expect(bad.message).toContain("Microsoft.Storage/storageAccounts/allowBlobPublicAccess");
    const inCount = await failure(
      pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-bad-count", {
        policyType: "Custom",
        mode: "All",
        policyRule: { if: { count: { field: "Microsoft.Insights/diagnosticSettings/logz[*]" }, less: 1 }, then: { effect: "audit" } },
      }),
    );
    expect(inCount).toMatchObject({ statusCode: 400, code: "InvalidPolicyAlias" });
    const plain = await failure(
      pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-bad-field", {
        policyType: "Custom",
        policyRule: { if: { field: "colour", equals: "x" }, then: { effect: "audit" } },
      }),
    );
    expect(plain).toMatchObject({ statusCode: 400, code: "InvalidPolicyAlias" });
    for (const name of ["pp-bad-alias", "pp-bad-count", "pp-bad-field"]) {
      expect(await failure(pc.policyDefinitions.getAtManagementGroup(MG, name))).toMatchObject({ statusCode: 404 });
    }
    // Known aliases (any case), tags and the built-in fields pass.
    await pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-good-alias", {
      policyType: "Custom",
      mode: "Indexed",
      policyRule: {
        if: {
          allOf: [
            { field: "type", equals: "Microsoft.Storage/storageAccounts" },
            { field: "microsoft.storage/storageaccounts/allowBlobPublicAccess", equals: true },
            { field: "tags['data']", exists: true },
            { field: "location", notIn: ["westeurope"] },
          ],
        },
        then: { effect: "deny" },
      },
    });
  });

  it("refuses denyAction for any action but delete, without actionNames, and cascadeBehaviors outside Indexed mode", async () => {
    const pc = policyClient(sim, token);
    const cases: [string, PolicyDefinition, string][] = [
      ["pp-da-write", denyAction({ actionNames: ["write"] }), "'write'"],
      ["pp-da-none", denyAction({}), "actionNames"],
      ["pp-da-empty", denyAction({ actionNames: [] }), "actionNames"],
      ["pp-da-all", denyAction({ actionNames: ["delete"], cascadeBehaviors: { resourceGroup: "deny" } }, "All"), "mode 'Indexed'"],
      ["pp-da-cascade", denyAction({ actionNames: ["delete"], cascadeBehaviors: { resourceGroup: "sometimes" } }), "'sometimes'"],
    ];
    for (const [name, body, needle] of cases) {
      const e = await failure(pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, name, body));
      expect(e, name).toMatchObject({ statusCode: 400, code: "InvalidPolicyRule" });
      expect(e.message, name).toContain(needle);
      expect(await failure(pc.policyDefinitions.getAtManagementGroup(MG, name))).toMatchObject({ statusCode: 404 });
    }
    // What the docs allow: delete, with cascadeBehaviors in Indexed mode, or without them in All mode.
    await pc.policyDefinitions.createOrUpdateAtManagementGroup(
      MG,
      "pp-da-ok",
      denyAction({ actionNames: ["delete"], cascadeBehaviors: { resourceGroup: "deny" } }),
    );
    await pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-da-ok-all", denyAction({ actionNames: ["delete"] }, "All"));
  });
});
