/**
 * Brownfield posture end to end on all four simulators' demo organisations, through the worker's real
 * provider registry: a posture scan reads the customer's own policies (Control Tower / hand-written SCPs
 * and an RCP, Azure built-in assignments, GCP org and deny policies, OCI policies) with reads only, and
 * each catalog control is judged against them per environment.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runPostureScan } from "@parapet/core/posture/run-posture-scan";
import { watchForeignPolicy } from "@parapet/core/posture/posture.service";
import { previewScope } from "@parapet/core/nodes/preview-scope";
import { buildReportModel } from "@parapet/core/reports/build-report";
import { renderReportText } from "@parapet/core/reports/render-text";
import { demoSims, demoSpec, reconcileHarness, type Cloud } from "../testing/reconcile-harness.ts";

const h = reconcileHarness();
const { prisma } = h;
const sims = demoSims();

async function scanned(cloud: Cloud) {
  const ctx = await h.connect(demoSpec(sims(), cloud));
  // The first reconcile discovers the hierarchy (no guardrail: nothing is written).
  const first = await h.run(ctx.connectionId);
  expect(first.status).toBe("succeeded");
  const scan = await prisma.postureScan.create({ data: { workspaceId: ctx.workspaceId, connectionId: ctx.connectionId } });
  const r = await runPostureScan(h.deps(), scan.id);
  const row = await prisma.postureScan.findUniqueOrThrow({ where: { id: scan.id } });
  expect(row.error).toBeNull();
  expect(r.status).toBe("done");
  const policies = await prisma.foreignPolicy.findMany({ where: { connectionId: ctx.connectionId } });
  const results = await prisma.postureResult.findMany({ where: { connectionId: ctx.connectionId }, include: { node: true } });
  return { ctx, row, policies, results };
}

describe("posture scan on aws", () => {
  let s: Awaited<ReturnType<typeof scanned>>;
  beforeAll(async () => {
    s = await scanned("aws");
  });

  it("inventories the customer's SCPs and RCPs with their attachments, reads only", () => {
    const names = s.policies.map((p) => p.name).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        "DenyLeaveOrganization",
        "DenyRootUser",
        "EnforceSecureTransport",
        "FullAWSAccess",
        "aws-guardrails-kQeXbtPz",
      ]),
    );
    expect(s.policies.find((p) => p.name === "aws-guardrails-kQeXbtPz")!.managedBy).toBe("control-tower");
    expect(s.policies.find((p) => p.name === "FullAWSAccess")!.managedBy).toBe("aws");
    expect(s.policies.find((p) => p.name === "AcceleratorGuardrails1")!.managedBy).toBe("lza");
    expect(s.policies.find((p) => p.name === "DenyLeaveOrganization")!.attachments).toHaveLength(1);
    expect(s.row.calls).toBeGreaterThan(0);
    expect(s.row.unreadable).toEqual([]);
  });

  it("the customer's leave-organization SCP enforces the control only partially: it also denies break-glass and the connector", () => {
    const rows = s.results.filter((r) => r.controlId === "deny-leave-organization");
    expect(rows.length).toBeGreaterThan(30);
    const member = rows.filter((r) => r.node.name !== "Management");
    expect(new Set(member.map((r) => r.status))).toEqual(new Set(["partial"]));
    expect(member[0]!.enforcedBy).toEqual(["DenyLeaveOrganization"]);
    expect((member[0]!.failing as Array<{ name: string }>).map((f) => f.name).sort()).toEqual([
      "break-glass may leave (e.g. planned divestiture)",
      "the connector is never denied",
    ]);
    // SCPs never apply to the management account.
    expect(rows.find((r) => r.node.name === "Management")!.status).toBe("none");
  });

  it("counts the slots the customer's SCPs take per target", () => {
    const slots = s.row.slots as Array<{ target: string; what: string; used: number; limit: number }>;
    const workloads = slots.filter((x) => x.what === "SCPs" && x.used >= 3);
    expect(workloads.length).toBeGreaterThan(0);
    expect(workloads.every((x) => x.limit === 10)).toBe(true);
  });

  it("reports no lockout: the connector lives in the management account, where SCPs do not apply", () => {
    expect(s.row.lockouts).toEqual([]);
  });

  it("the guardrail preview says what the customer's policies already enforce of the control in the selected environments", async () => {
    const actor = {
      workspaceId: s.ctx.workspaceId,
      userId: "u-admin",
      role: "admin" as const,
      kind: "user" as const,
      label: "admin@example.test",
    };
    const p = await previewScope({ prisma }, actor, { all: true }, "deny-leave-organization");
    expect(p.posture?.enforced).toBe(0);
    expect(p.posture?.partial).toBeGreaterThan(30);
    expect(p.posture?.by).toEqual(["DenyLeaveOrganization"]);
    expect(p.posture?.failing).toEqual(["break-glass may leave (e.g. planned divestiture)", "the connector is never denied"]);
    expect(p.posture?.lockouts).toEqual([]);
  });

  it("coexist: a watched policy changed in the cloud is reported as drift, and in the weekly report", async () => {
    const p = s.policies.find((x) => x.name === "DenyRootUser")!;
    const actor = {
      workspaceId: s.ctx.workspaceId,
      userId: "u-admin",
      role: "admin" as const,
      kind: "user" as const,
      label: "admin@example.test",
    };
    expect((await watchForeignPolicy({ prisma }, actor, s.ctx.connectionId, { policyId: p.id, watch: true })).stance).toBe("watched");
    // Someone edits the customer's SCP out of band (the simulator's state, as the console would).
    const doc = JSON.parse(sims().aws.state.policies.get(p.externalId)!.content) as { Statement: Array<{ Sid?: string }> };
    doc.Statement[0]!.Sid = "DenyRootUserEdited";
    sims().aws.state.updatePolicy(p.externalId, { content: JSON.stringify(doc) });
    const again = await prisma.postureScan.create({ data: { workspaceId: s.ctx.workspaceId, connectionId: s.ctx.connectionId } });
    expect((await runPostureScan(h.deps(), again.id)).status).toBe("done");
    const after = await prisma.foreignPolicy.findUniqueOrThrow({ where: { id: p.id } });
    expect(after.stance).toBe("watched");
    expect(after.driftDetectedAt).not.toBeNull();
    // Never written: the scan only reads.
    expect(sims().aws.state.policies.get(p.externalId)!.content).toBe(JSON.stringify(doc));

    const model = await buildReportModel(prisma, s.ctx.workspaceId);
    expect(model.posture?.connections[0]?.drifted).toEqual(["DenyRootUser"]);
    expect(model.posture?.controls.some((c) => c.controlId === "deny-leave-organization" && c.partial > 30)).toBe(true);
    expect(renderReportText(model)).toContain("Your own policies (posture)");
  });
});

describe.each(["azure", "gcp", "oci"] as const)("posture scan on %s", (cloud) => {
  let s: Awaited<ReturnType<typeof scanned>>;
  beforeAll(async () => {
    s = await scanned(cloud);
  });

  it("inventories the customer's own policies and judges controls per environment", () => {
    expect(s.policies.length).toBeGreaterThan(0);
    expect(s.row.unreadable).toEqual([]);
    expect(s.results.length).toBeGreaterThan(0);
    expect(s.row.calls).toBeGreaterThan(0);
  });

  if (cloud === "azure") {
    it("credits the built-in Allowed locations assignment partially (it leaves resource groups out) under Landing Zones", () => {
      expect(s.policies.find((p) => p.name === "Allowed locations (EU)")!.managedBy).toBe("builtin");
      expect(s.policies.some((p) => p.name.startsWith("ASC Default"))).toBe(true);
      const rows = s.results.filter((r) => r.controlId === "restrict-regions");
      const corp = rows.filter((r) => r.node.name.startsWith("corp-prod"));
      expect(corp.length).toBeGreaterThan(0);
      for (const r of corp) {
        expect(r.status).toBe("partial");
        expect(r.enforcedBy).toEqual(["Allowed locations (EU)"]);
        expect((r.failing as Array<{ name: string }>).map((f) => f.name)).toEqual([
          "a resource group outside the allowed locations is denied",
        ]);
      }
      expect(rows.filter((r) => r.node.name.startsWith("sandbox")).every((r) => r.status === "none")).toBe(true);
    });
  }
  if (cloud === "gcp") {
    it("credits the organization's gcp.resourceLocations policy in every project", () => {
      const rows = s.results.filter((r) => r.controlId === "restrict-regions");
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]!.failing).toEqual([]);
      expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["enforced"]));
      expect(s.policies.some((p) => p.kind === "gcp.deny-policy" && p.name === "Protect audit log sinks")).toBe(true);
    });
  }
  if (cloud === "oci") {
    it("reads the tenancy's policies; none of them enforces a catalog control (the deny names contractors only)", () => {
      expect(s.policies.map((p) => p.name)).toEqual(
        expect.arrayContaining(["NetworkAdmins-Policy", "AppOperators-Policy", "Contractors-NoProdDeletes"]),
      );
      expect(s.results.every((r) => r.status === "none")).toBe(true);
    });
  }
});
