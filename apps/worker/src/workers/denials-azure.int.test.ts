/**
 * Denial attribution on the Azure simulator (issue 17), through the real Activity Log SDK: a write refused by
 * the guardrail's Azure Policy deny is attributed to it; a refusal by another (the customer's) policy is not
 * Parapet's.
 */
import { describe, expect, it } from "vitest";
import { pollDenials } from "@parapet/core/denials/attribute-denials";
import { demoSims, demoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";

const h = reconcileHarness();
const sims = demoSims();
const { prisma } = h;

describe("denials on Azure", () => {
  // Activity Log: a write refused by an Azure Policy deny is logged with status Forbidden and sub-status
  // RequestDisallowedByPolicy (https://learn.microsoft.com/en-us/azure/governance/policy/troubleshoot/general#scenario-requestdisallowedbypolicy).
  it("a public storage account refused by the guardrail's policy is Parapet's; another policy's refusal is not", async () => {
    const azure = sims().azure;
    const { workspaceId, connectionId } = await h.connect(demoSpec(sims(), "azure"), "Azure tenant");
    const guardrailId = (await h.guardrail(workspaceId, "no-public-data", { all: true }, "enforce", "auto")).id;
    await h.run(connectionId);
    const sub = await prisma.node.findFirstOrThrow({ where: { connectionId, isEnvironment: true }, orderBy: { name: "asc" } });
    const caller = { objectId: "5b7e0c1a-3d2f-4e6a-9b8c-7d6e5f4a3b2c", upn: "dev@acme.example" };
    azure.appendActivity([
      {
        operationName: "Microsoft.Storage/storageAccounts/write",
        resourceId: `/${sub.externalId}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/public1`,
        method: "PUT",
        caller,
        requestBody: { location: "westeurope", kind: "StorageV2", properties: { allowBlobPublicAccess: true } },
        httpStatus: 403,
        errorCode: "RequestDisallowedByPolicy",
        errorMessage: "Resource 'public1' was disallowed by policy.",
      },
      {
        operationName: "Microsoft.Compute/virtualMachines/write",
        resourceId: `/${sub.externalId}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/big1`,
        method: "PUT",
        caller,
        requestBody: { location: "westeurope", properties: { hardwareProfile: { vmSize: "Standard_M416ms_v2" } } },
        httpStatus: 403,
        errorCode: "RequestDisallowedByPolicy",
        errorMessage: "Resource 'big1' was disallowed by policy (allowed VM sizes).",
      },
    ]);
    // The job polls every minute from a stored cursor: an entry a poll did not see yet (the Activity Log is
    // eventually consistent; a loaded run saw one of the two) must come with a later poll, never be skipped.
    const polls = [];
    let rows: Awaited<ReturnType<typeof prisma.denial.findMany>> = [];
    for (let i = 0; i < 3 && rows.length < 2; i++) {
      polls.push(await pollDenials({ prisma, keys: h.keys, adapterFor: h.deps().adapterFor }, connectionId));
      rows = await prisma.denial.findMany({ where: { connectionId, principal: caller.objectId }, orderBy: { action: "asc" } });
    }
    const r = polls;
    expect(
      rows.map((d) => [d.action, d.parapet, d.guardrailId, d.environment]),
      JSON.stringify(r),
    ).toEqual([
      ["Microsoft.Compute/virtualMachines/write", false, null, sub.name],
      ["Microsoft.Storage/storageAccounts/write", true, guardrailId, sub.name],
    ]);
  });
});
