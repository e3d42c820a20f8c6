/**
 * Denial attribution on the GCP simulator (issue 17), through the real Logging REST reader: Cloud Audit
 * Logs entries whose status is PERMISSION_DENIED (code 7) are the refused calls
 * (https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog). A log sink
 * deletion refused in a project is attributed to "audit logging stays on" (its IAM deny rule); a bucket
 * deletion refused by the customer's own IAM is not Parapet's.
 */
import { describe, expect, it } from "vitest";
import { pollDenials } from "@parapet/core/denials/attribute-denials";
import { demoSims, demoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";

const h = reconcileHarness();
const sims = demoSims();
const { prisma } = h;

describe("denials on GCP", () => {
  it("a log sink deletion denied by the guardrail's deny rule is Parapet's; a bucket deletion refused by the customer's IAM is not", async () => {
    const gcp = sims().gcp;
    const { workspaceId, connectionId } = await h.connect(demoSpec(sims(), "gcp"), "GCP org");
    const guardrailId = (await h.guardrail(workspaceId, "audit-logging-locked", { all: true }, "enforce", "auto")).id;
    await h.run(connectionId);
    const project = await prisma.node.findFirstOrThrow({ where: { connectionId, isEnvironment: true }, orderBy: { name: "asc" } });
    const entry = (permission: string, service: string, resourceName: string, who: string) => ({
      service,
      permission,
      resourceName,
      project: project.externalId,
      principalEmail: who,
      denied: true,
    });
    const r0 = await fetch(`${gcp.url}/_admin/audit-entries`, {
      method: "POST",
      body: JSON.stringify({
        entries: [
          entry("logging.sinks.delete", "logging.googleapis.com", `${project.externalId}/sinks/org-audit`, "dev@acme.example"),
          entry("storage.buckets.delete", "storage.googleapis.com", "projects/_/buckets/payments-exports", "intern@acme.example"),
        ],
      }),
    });
    expect(r0.status).toBeLessThan(300);
    const r = await pollDenials({ prisma, keys: h.keys, adapterFor: h.deps().adapterFor }, connectionId);
    const rows = await prisma.denial.findMany({ where: { connectionId }, orderBy: { action: "asc" } });
    const mine = rows.filter((d) => d.principal.startsWith("user:dev@") || d.principal.startsWith("user:intern@"));
    expect(
      mine.map((d) => [d.action, d.parapet, d.guardrailId, d.environment]),
      JSON.stringify(r),
    ).toEqual([
      ["logging.sinks.delete", true, guardrailId, project.name],
      ["storage.buckets.delete", false, null, project.name],
    ]);
    expect(mine[0]!.statement).toBeTruthy();
  });
});
