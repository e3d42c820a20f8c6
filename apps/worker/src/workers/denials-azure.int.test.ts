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
    // The calls happened a minute ago (a log is written after the fact). Appended "now", a call's EndRequest
    // entry is stamped 1 ms after its BeginRequest: a poll started in the same millisecond (warm code — it
    // happened whenever this ran after the GCP test in one file) read up to `now`, saw only the Started
    // entries, and so no refusal. Not lost: the next poll starts 10 minutes before that cursor (asserted below).
    const at = Date.now() - 60_000;
    azure.appendActivity([
      {
        time: new Date(at),
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
        time: new Date(at),
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
    const deps = { prisma, keys: h.keys, adapterFor: h.deps().adapterFor };
    // A poll whose end falls between a call's BeginRequest and EndRequest sees no refusal yet…
    expect(await pollDenials(deps, connectionId, new Date(at))).toMatchObject({ denied: 0 });
    // …and the next one, though its cursor is past the BeginRequest, reads it (the late margin) and stores both once.
    const r = await pollDenials(deps, connectionId);
    const rows = await prisma.denial.findMany({ where: { connectionId, principal: caller.objectId }, orderBy: { action: "asc" } });
    expect(
      rows.map((d) => [d.action, d.parapet, d.guardrailId, d.environment]),
      JSON.stringify(r),
    ).toEqual([
      ["Microsoft.Compute/virtualMachines/write", false, null, sub.name],
      ["Microsoft.Storage/storageAccounts/write", true, guardrailId, sub.name],
    ]);
  });

  it("after the GCP test in the same file (shared simulators, warm code), a single poll sees the refusal", async () => {
    // The order that used to fail; each file gets its own database and simulators, so the two run in one here.
    const gcp = sims().gcp;
    const { workspaceId, connectionId } = await h.connect(demoSpec(sims(), "gcp"), "GCP org");
    await h.guardrail(workspaceId, "audit-logging-locked", { all: true }, "enforce", "auto");
    await h.run(connectionId);
    const project = await prisma.node.findFirstOrThrow({ where: { connectionId, isEnvironment: true }, orderBy: { name: "asc" } });
    const r0 = await fetch(`${gcp.url}/_admin/audit-entries`, {
      method: "POST",
      body: JSON.stringify({
        entries: [
          {
            service: "logging.googleapis.com",
            permission: "logging.sinks.delete",
            resourceName: `${project.externalId}/sinks/org-audit`,
            project: project.externalId,
            principalEmail: "dev@acme.example",
            denied: true,
          },
        ],
      }),
    });
    expect(r0.status).toBeLessThan(300);
    expect(await pollDenials({ prisma, keys: h.keys, adapterFor: h.deps().adapterFor }, connectionId)).toMatchObject({
      denied: 1,
      parapet: 1,
    });

    const azure = sims().azure;
    const az = await h.connect(demoSpec(sims(), "azure"), "Azure tenant 2");
    const guardrailId = (await h.guardrail(az.workspaceId, "no-public-data", { all: true }, "enforce", "auto")).id;
    await h.run(az.connectionId);
    const sub = await prisma.node.findFirstOrThrow({
      where: { connectionId: az.connectionId, isEnvironment: true },
      orderBy: { name: "asc" },
    });
    const caller = { objectId: "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", upn: "dev2@acme.example" };
    azure.appendActivity([
      {
        time: new Date(Date.now() - 30_000),
        operationName: "Microsoft.Storage/storageAccounts/write",
        resourceId: `/${sub.externalId}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/public2`,
        method: "PUT",
        caller,
        requestBody: { location: "westeurope", kind: "StorageV2", properties: { allowBlobPublicAccess: true } },
        httpStatus: 403,
        errorCode: "RequestDisallowedByPolicy",
        errorMessage: "Resource 'public2' was disallowed by policy.",
      },
    ]);
    const r = await pollDenials({ prisma, keys: h.keys, adapterFor: h.deps().adapterFor }, az.connectionId);
    const rows = await prisma.denial.findMany({ where: { connectionId: az.connectionId, principal: caller.objectId } });
    expect(
      rows.map((d) => [d.action, d.parapet, d.guardrailId, d.environment]),
      JSON.stringify(r),
    ).toEqual([["Microsoft.Storage/storageAccounts/write", true, guardrailId, sub.name]]);
  });
});
