import { describe, expect, it } from "vitest";
import { azureRefusals } from "./azure-eval.ts";
import { getControl } from "./catalog.ts";
import { exampleArtifacts } from "./golden.ts";
import type { TAzureFragment } from "./types.ts";

const fragment = (id: string): TAzureFragment => (exampleArtifacts(getControl(id)!, "azure") as { fragment: TAzureFragment }).fragment;

describe("the Azure policy scenario evaluator", () => {
  it("applies denyAction to deletes only, and deny to writes only", () => {
    const f = fragment("agent-no-destructive-actions");
    const vault = { type: "Microsoft.KeyVault/vaults", location: "westeurope", properties: {} };
    expect(azureRefusals(f, { action: "delete", resource: vault }).length).toBeGreaterThan(0);
    expect(azureRefusals(f, { action: "write", resource: vault })).toEqual([]);
    expect(azureRefusals(f, { action: "delete", resource: { ...vault, type: "Microsoft.Web/sites" } })).toEqual([]);
  });

  it("resolves assignment parameters, compares strings case-insensitively and skips resource groups in Indexed mode", () => {
    const f = fragment("restrict-regions");
    expect(
      azureRefusals(f, {
        action: "write",
        resource: { type: "Microsoft.Storage/storageAccounts", location: "WestEurope", properties: {} },
      }),
    ).toEqual([]);
    const rg = azureRefusals(f, {
      action: "write",
      resource: { type: "Microsoft.Resources/subscriptions/resourceGroups", location: "eastus" },
    });
    expect(rg).toEqual(["gr_example-rg-locations"]);
  });

  it("refuses expressions it cannot evaluate instead of guessing", () => {
    const f = fragment("restrict-regions");
    const p = f.policies[0]!;
    const broken: TAzureFragment = {
      ...f,
      policies: [
        {
          ...p,
          definition: {
            ...p.definition,
            properties: { ...p.definition.properties, policyRule: { if: { value: "[utcNow()]", equals: "x" }, then: { effect: "deny" } } },
          },
        },
      ],
    };
    expect(() => azureRefusals(broken, { action: "write", resource: { type: "x", location: "y" } })).toThrow(
      /does not support the expression/,
    );
  });
});
