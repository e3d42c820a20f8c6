/** Azure behaviours of controls that depend on parameters (the scenarios run with the defaults). */
import { describe, expect, it } from "vitest";
import { azureRefusals } from "./azure-eval.ts";
import { getControl } from "./catalog.ts";
import { exampleArtifacts } from "./golden.ts";
import type { TAzureFragment } from "./types.ts";

const SENTINEL = "/subscriptions/0000/resourceGroups/sec/providers/Microsoft.OperationalInsights/workspaces/sentinel";
const diag = (properties: Record<string, unknown>) => ({ type: "Microsoft.Insights/diagnosticSettings", name: "to-sentinel", properties });

describe("audit-logging-locked on Azure", () => {
  const control = getControl("audit-logging-locked")!;

  it("refuses a diagnostic setting redirected outside the approved destinations, when they are listed", () => {
    const f = (exampleArtifacts(control, "azure", { azureLogDestinations: [SENTINEL] }) as { fragment: TAzureFragment }).fragment;
    const logs = [{ categoryGroup: "audit", enabled: true }];
    expect(azureRefusals(f, { action: "write", resource: diag({ workspaceId: SENTINEL.toUpperCase(), logs }) })).toEqual([]);
    expect(
      azureRefusals(f, {
        action: "write",
        resource: diag({
          workspaceId: "/subscriptions/9999/resourceGroups/x/providers/Microsoft.OperationalInsights/workspaces/elsewhere",
          logs,
        }),
      }),
    ).toEqual(["gr_example-diag-weaken"]);
    expect(
      azureRefusals(f, {
        action: "write",
        resource: diag({
          workspaceId: SENTINEL,
          storageAccountId: "/subscriptions/9999/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/exfil",
          logs,
        }),
      }),
    ).toEqual(["gr_example-diag-weaken"]);
  });

  it("does not restrict destinations when none are listed", () => {
    const f = (exampleArtifacts(control, "azure") as { fragment: TAzureFragment }).fragment;
    expect(
      azureRefusals(f, {
        action: "write",
        resource: diag({
          workspaceId: "/subscriptions/9999/resourceGroups/x/providers/Microsoft.OperationalInsights/workspaces/any",
          logs: [],
        }),
      }),
    ).toEqual([]);
  });

  it("rejects a destination that is not an ARM resource id", () => {
    expect(() => control.params.parse({ azureLogDestinations: ["sentinel"] })).toThrow(/ARM resource id/);
  });
});
