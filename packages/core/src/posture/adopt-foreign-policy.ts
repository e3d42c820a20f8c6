/**
 * Adopt (issue 19): replace a customer's policy that already enforces a control with the guardrail's own
 * artifact, in one planned change that a second member approves. This file checks and plans; the
 * connection's reconcile carries it out (reconcile/phases/adopt.ts): Parapet's artifact is deployed and
 * read back first, and only then is the customer's policy detached from exactly the approved targets.
 *
 * Why these refusals (each a 4xx naming the field, nothing changes):
 * - AWS only: an SCP/RCP can be detached from a target and attached back unchanged, which is what makes
 *   a zero-gap swap and an exact rollback possible. Azure assignments, GCP org policies and OCI policies
 *   would have to be deleted or rewritten (OCI statements, GCP rules merged per constraint), which destroys
 *   the customer's object: refused with a 422 naming the cloud; leave them "external, watched".
 * - Allow statements: an allow-list SCP decides what is permitted at all; detaching it changes access,
 *   not a guardrail. AWS-managed policies (FullAWSAccess) are never adopted.
 * - The body hash the admin saw must be the one the last scan proved (`bodyHash`), and that body is the
 *   one detached later: a policy edited in between is refused then too.
 */
import { contentHash } from "@parapet/providers/contract";
import { appendAudit } from "../audit/audit.repository.ts";
import { createApproval, pendingFor, transaction } from "../approvals/approvals.repository.ts";
import { approvalView } from "../approvals/approval-view.ts";
import { getControl } from "../catalog/catalog.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, invalidField, notFound } from "../common/errors.ts";
import {
  controlsCredited,
  createAdoption,
  creditedFor,
  findConnectionForPosture,
  findForeignPolicy,
  guardrailForAdoption,
  liveAdoptionOf,
  nodesByExternal,
} from "./posture.repository.ts";
import { ZAdoptForeignPolicyInput, type TAdoptForeignPolicyInput } from "./posture.schema.ts";

const ADOPTABLE_KINDS = new Set(["aws.scp", "aws.rcp"]);

/** The statements of an Organizations policy document, or null when it is not one. */
function statementsOf(body: unknown): Array<{ Effect?: unknown }> | null {
  const content = (body as { content?: unknown } | null)?.content;
  if (typeof content !== "string") return null;
  try {
    const doc = JSON.parse(content) as { Statement?: unknown };
    const s = doc.Statement;
    if (Array.isArray(s)) return s as Array<{ Effect?: unknown }>;
    return s && typeof s === "object" ? [s] : null;
  } catch {
    return null;
  }
}

async function checkAndPlan(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, connectionId: string, raw: TAdoptForeignPolicyInput) {
  const input = ZAdoptForeignPolicyInput.parse(raw);
  const conn = await findConnectionForPosture(deps.prisma, actor.workspaceId, connectionId);
  if (!conn) throw notFound("connection", connectionId.slice(0, 100));
  const p = await findForeignPolicy(deps.prisma, actor.workspaceId, input.policyId);
  if (!p || p.connectionId !== conn.id) throw notFound("foreign policy", input.policyId);
  if (conn.cloud !== "aws" || !ADOPTABLE_KINDS.has(p.kind)) {
    throw invalidField(
      "policyId",
      `adoption is available for AWS SCPs and RCPs only, not on ${conn.cloud} (${p.kind}): replacing it there would delete or rewrite the customer's object; leave it "external, watched" instead`,
    );
  }
  if (p.goneAt) throw new AppError("conflict", `policyId: ${p.name} was not found by the last scan; scan again`);
  if (p.stance === "adopted") throw new AppError("conflict", `policyId: ${p.name} was already adopted`);
  if (p.bodyHash !== input.bodyHash)
    throw new AppError("conflict", `bodyHash: ${p.name} changed since you looked (the last scan read another body); review it again`);
  if (p.managedBy === "aws") throw invalidField("policyId", `${p.name} is managed by AWS and is never adopted`);
  const statements = statementsOf(p.body);
  if (!statements) throw invalidField("policyId", `${p.name}: its document could not be read as an Organizations policy`);
  if (statements.some((s) => s.Effect !== "Deny"))
    throw invalidField(
      "policyId",
      `${p.name} has Allow statements: detaching an allow-list policy changes access, not a guardrail; it cannot be adopted`,
    );
  if (p.attachments.length === 0) throw invalidField("policyId", `${p.name} is not attached anywhere: there is nothing to replace`);

  const g = await guardrailForAdoption(deps.prisma, actor.workspaceId, input.guardrailId);
  if (!g || g.status === "deleted") throw notFound("guardrail", input.guardrailId);
  const v = g.versions[0];
  if (g.status !== "active") throw invalidField("guardrailId", `${g.name} is ${g.status}: only an active guardrail can take over`);
  if (v?.mode !== "enforce")
    throw invalidField("guardrailId", `${g.name} is in audit mode: only a guardrail that enforces can replace a policy that does`);
  if ((await creditedFor(deps.prisma, conn.id, g.controlId, p.name)) === 0) {
    throw invalidField(
      "guardrailId",
      `the last scan does not credit ${p.name} with ${getControl(g.controlId)?.title ?? g.controlId} (the control of ${g.name}) anywhere`,
    );
  }
  const nodes = await nodesByExternal(deps.prisma, conn.id, p.attachments);
  const nameOf = new Map(nodes.map((n) => [n.externalId, n.name]));
  const targets = p.attachments.map((t) => ({ externalId: t, name: nameOf.get(t) ?? t }));
  const where = targets.map((t) => t.name).join(", ");
  const others = (await controlsCredited(deps.prisma, conn.id, p.name)).filter((c) => c !== g.controlId);
  const warnings = [
    ...(others.length
      ? [
          `${p.name} is also credited with ${others.map((c) => getControl(c)?.title ?? c).join(", ")}: detaching it takes that away unless another guardrail covers it`,
        ]
      : []),
    ...(p.managedBy === "control-tower" || p.managedBy === "lza"
      ? [
          `${p.name} is managed by ${p.managedBy === "lza" ? "the Landing Zone Accelerator" : "Control Tower"}, which may report the detach as drift or attach it again`,
        ]
      : []),
  ];
  const steps = [
    `Deploy ${g.name}'s own ${p.kind === "aws.rcp" ? "RCP" : "SCP"} at or above each target: ${where}`,
    `Read it back from AWS: attached there and equal to what Parapet compiled`,
    `Only then detach ${p.name} from exactly those targets, one at a time (it is never edited or deleted${p.kind === "aws.scp" ? "; a target where it is the last SCP is refused" : ""})`,
    `If anything fails before the last detach: attach ${p.name} back wherever it was detached`,
  ];
  return {
    conn,
    policy: p,
    guardrail: g,
    plan: {
      policy: { id: p.id, name: p.name, externalId: p.externalId, kind: p.kind, managedBy: p.managedBy },
      guardrail: { id: g.id, name: g.name, controlId: g.controlId, version: v.version },
      targets,
      steps,
      warnings,
      bodyHash: p.bodyHash,
    },
  };
}

/** The planned change, without asking for anything (the "Adopt…" dialog shows it). */
export async function previewAdoption(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  connectionId: string,
  raw: TAdoptForeignPolicyInput,
) {
  return (await checkAndPlan(deps, actor, connectionId, raw)).plan;
}

/**
 * Asks for the adoption: an approval (action `posture.adopt`) and the adoption row it will release, in one
 * transaction. Nothing is written to the cloud until a second member approves.
 */
export async function requestAdoption(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  connectionId: string,
  raw: TAdoptForeignPolicyInput,
) {
  const { conn, policy: p, guardrail: g, plan } = await checkAndPlan(deps, actor, connectionId, raw);
  const row = await transaction(deps.prisma, async (tx) => {
    if ((await liveAdoptionOf(tx, p.id)) || (await pendingFor(tx, actor.workspaceId, "foreign-policy", p.id)))
      throw new AppError("conflict", `policyId: an adoption of ${p.name} is already requested or under way`);
    const summary = `Adopt ${p.name}: replace it with ${g.name} at ${plan.targets.map((t) => t.name).join(", ")}`;
    const approval = await createApproval(tx, {
      workspaceId: actor.workspaceId,
      action: "posture.adopt",
      subjectType: "foreign-policy",
      subjectId: p.id,
      summary: summary.slice(0, 500),
      requestedById: actor.userId,
      payload: {
        connectionId: conn.id,
        guardrailId: g.id,
        reasons: [...plan.steps, ...plan.warnings],
        plan: JSON.parse(JSON.stringify(plan)) as Record<string, unknown>,
      },
    });
    await createAdoption(tx, {
      workspaceId: actor.workspaceId,
      connectionId: conn.id,
      foreignPolicyId: p.id,
      approvalId: approval.id,
      guardrailId: g.id,
      controlId: g.controlId,
      kind: p.kind,
      policyExternalId: p.externalId,
      policyName: p.name,
      contentHash: contentHash(p.body),
      targets: [...p.attachments],
      requestedById: actor.userId,
    });
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "posture.adoption_requested",
      targetType: "connection",
      targetId: conn.id,
      data: { approval: approval.id, policy: p.externalId, name: p.name, guardrail: g.id, targets: p.attachments, bodyHash: p.bodyHash },
    });
    return approval;
  });
  return { approval: approvalView(row) };
}
