/**
 * Denial attribution (issue 17) on the simulators through the real SDKs: a call the cloud refused is
 * appended to the simulator's audit log (its admin API, as the cloud would log it), the denials poll
 * reads the log through the connection's adapter, and the same evaluator as "would have blocked"
 * decides whether an enforcing guardrail's compiled artifact denies that call there. A refusal by the
 * customer's own policy is stored as not Parapet's; a Parapet one becomes a `denial.detected` alert.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { pollDenials } from "@parapet/core/denials/attribute-denials";
import { listDenials } from "@parapet/core/denials/list-denials";
import { ociDemoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";

const h = reconcileHarness();
const { prisma } = h;
let AGENT: string;
let HUMAN: string;
let oci: OciSim;
let workspaceId: string;
let connectionId: string;
let guardrailId: string;
let prod: string;

const deps = () => ({ prisma, keys: h.keys, adapterFor: h.deps().adapterFor });

async function ociAdmin(body: object) {
  const r = await fetch(`${oci.url}/_admin/audit-events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(201);
}

beforeAll(async () => {
  oci = await startOciSim({ throttle: false });
  prod = oci.seedDemo().compartments["Prod"]!;
  // Agents are the members of the group "Agents" (OCI deny policies name groups); the poll reads the
  // caller's memberships through the adapter, as the impact replay does.
  AGENT = oci.createUser({ name: "agent-bot", groups: ["Agents"] }).userId;
  HUMAN = oci.createUser({ name: "operator", groups: ["Operators"] }).userId;
  ({ workspaceId, connectionId } = await h.connect({ ...ociDemoSpec(oci), principals: { agents: { groups: ["Agents"] } } }, "OCI sim"));
  guardrailId = (await h.guardrail(workspaceId, "agent-no-destructive-actions", { labels: "env=prod" }, "enforce", "auto")).id;
  await h.run(connectionId, "poll");
});

afterAll(async () => {
  await oci?.close();
});

describe("denials on OCI", () => {
  it("attributes an agent's refused bucket deletion in prod to the guardrail; a customer policy's refusal is not Parapet's", async () => {
    await ociAdmin({
      eventName: "DeleteBucket",
      service: "objectstorage",
      compartmentId: prod,
      principalId: AGENT,
      principalName: "agent-bot",
      method: "DELETE",
      path: "/n/acme/b/invoices",
      status: 404,
      message: "Either the bucket does not exist or you are NotAuthorizedOrNotFound",
      resourceId: "/n/acme/b/invoices",
    });
    await ociAdmin({
      eventName: "DeleteBucket",
      service: "objectstorage",
      compartmentId: prod,
      principalId: HUMAN,
      principalName: "operator",
      method: "DELETE",
      path: "/n/acme/b/ledger",
      status: 403,
      message: "NotAuthorized",
      resourceId: "/n/acme/b/ledger",
    });
    const r = await pollDenials(deps(), connectionId);
    expect(r.denied).toBeGreaterThanOrEqual(2);
    const rows = await prisma.denial.findMany({ where: { connectionId } });
    const agent = rows.find((d) => d.principal === AGENT)!;
    expect(agent).toMatchObject({ parapet: true, guardrailId, action: "DeleteBucket", environment: "Prod" });
    expect(agent.statement).toBeTruthy();
    expect(rows.find((d) => d.principal === HUMAN)).toMatchObject({ parapet: false, guardrailId: null });
    // The Denials page's read: by guardrail, and what is not Parapet's.
    const actor = { workspaceId, userId: "u", role: "viewer" as const, kind: "user" as const, label: "v@example.test" };
    const byGuardrail = await listDenials({ prisma }, actor, { limit: 50, guardrailId });
    expect(byGuardrail.items.map((d) => d.principal)).toEqual([AGENT]);
    const notOurs = await listDenials({ prisma }, actor, { limit: 50, parapet: "false" });
    expect(notOurs.items.map((d) => d.principal)).toContain(HUMAN);
    // The alert: one event for the Parapet denial, none for the customer's own.
    const events = await prisma.notificationEvent.findMany({ where: { workspaceId, type: "denial.detected" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.title).toMatch(/agent-bot was denied DeleteBucket in Prod by "agent-no-destructive-actions"/);
    // Read again: nothing is stored or told twice.
    await pollDenials(deps(), connectionId);
    expect(await prisma.denial.count({ where: { connectionId } })).toBe(rows.length);
    expect(await prisma.notificationEvent.count({ where: { workspaceId, type: "denial.detected" } })).toBe(1);
  });
});
