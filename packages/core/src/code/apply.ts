import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError } from "../common/errors.ts";
import { can } from "../identity/roles.ts";
import { createGuardrail } from "../guardrails/create-guardrail.ts";
import { enableGuardrail } from "../guardrails/enable-guardrail.ts";
import { requestGuardrailRemoval } from "../guardrails/request-guardrail-removal.ts";
import { updateGuardrail } from "../guardrails/update-guardrail.ts";
import { requestExemption } from "../exemptions/request-exemption.ts";
import { revokeExemption } from "../exemptions/revoke-exemption.ts";
import { markManaged } from "./code.repository.ts";
import type { TApplyInput, TApplyResult, TCodeGuardrail, TExemptionPlanEntry } from "./code.schema.ts";
import { computePlan, entryHash } from "./plan.ts";

/**
 * Applies a document through the same use-cases the console uses, one guardrail at a time: a new
 * guardrail and a change that only adds protection take effect at once; a weakening change, a disable
 * and a removal each become an approval request that changes nothing until a different member approves
 * (the two-person rule holds for code exactly as for clicks). Every guardrail the document lists is then
 * marked managed in code with the source repository and commit.
 *
 * Not one transaction: each guardrail's change commits on its own (as in the console), so a failure
 * part-way leaves the earlier ones applied; a second apply of the same document continues from there.
 */
export async function applyDocument(
  deps: UseCaseDeps,
  actor: Actor,
  input: TApplyInput,
  approvalUrl: (id: string) => string,
): Promise<TApplyResult> {
  const plan = await computePlan(deps, actor, input.document, { compiled: false });
  if (input.planHash && input.planHash !== plan.planHash)
    throw new AppError("conflict", "planHash: the workspace or the document changed since that plan; run plan again", [
      { field: "planHash", message: "differs from the current plan" },
    ]);
  const repo = input.source?.repo ?? "";
  const commit = input.source?.commit ?? "";
  const note = input.note ?? `applied from ${repo || "code"}${commit ? `@${commit.slice(0, 12)}` : ""}`;
  const docOf = new Map(input.document.guardrails.map((g) => [g.key, g]));
  const results: TApplyResult["results"] = [];
  const approval = (id: string) => ({ approvalId: id, approvalUrl: approvalUrl(id) });

  for (const e of plan.entries) {
    const g = docOf.get(e.key);
    let guardrailId = e.guardrailId;
    const base = { key: e.key, action: e.action };
    if (e.action === "remove") {
      const a = e.pendingApproval ? { id: e.pendingApproval } : await requestGuardrailRemoval(deps, actor, e.guardrailId!, "delete");
      results.push({ ...base, guardrailId, outcome: "approval", ...approval(a.id) });
      continue;
    }
    if (!g) continue;
    if (e.action === "add") {
      const created = await createGuardrail(deps, actor, {
        controlId: g.control,
        name: g.name,
        description: g.description,
        params: g.params,
        scope: g.scope,
        mode: g.mode,
        remediation: g.remediation,
      });
      guardrailId = created.id;
      results.push({ ...base, guardrailId, outcome: "applied", approvalId: null, approvalUrl: null });
    } else if (e.action === "unchanged") {
      results.push({ ...base, guardrailId, outcome: "unchanged", approvalId: null, approvalUrl: null });
    } else if (e.pendingApproval) {
      // Applied before and waiting for its second member: the same request, not a second one.
      results.push({ ...base, guardrailId, outcome: "approval", ...approval(e.pendingApproval) });
    } else {
      results.push({ ...base, guardrailId, ...(await applyChange(deps, actor, guardrailId!, e.changes, g, note, approval)) });
    }
    await markManagedFrom(deps, actor, guardrailId!, g, repo, commit);
  }
  const exemptions = plan.exemptions ? await applyExemptions(deps, actor, input, plan.exemptions, results, approval) : undefined;
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "code.applied",
    targetType: "workspace",
    targetId: actor.workspaceId,
    data: { repo, commit, planHash: plan.planHash, summary: plan.summary },
  });
  return { planHash: plan.planHash, results, ...(exemptions ? { exemptions } : {}) };
}

/**
 * Exemptions, after the guardrails (a new guardrail's exemption needs its id). A new or changed one is
 * requested through requestExemption, the console's own path: pending, in effect only once a different
 * member approves. Never granted here. A removed one is revoked at once, as the console's revoke: it
 * restores protection. One already requested and waiting is waited on, not asked for twice.
 */
async function applyExemptions(
  deps: UseCaseDeps,
  actor: Actor,
  input: TApplyInput,
  entries: TExemptionPlanEntry[],
  guardrails: TApplyResult["results"],
  approval: (id: string) => { approvalId: string; approvalUrl: string },
): Promise<NonNullable<TApplyResult["exemptions"]>> {
  // Apply needs guardrail write; exemptions are their own permission (the same roles hold both today).
  if (entries.some((e) => e.action !== "unchanged") && !can(actor.role, "exemption", "request"))
    throw new AppError("forbidden", `exemptions: your role (${actor.role}) cannot request or revoke exemptions`);
  const idOfKey = new Map(guardrails.flatMap((r) => (r.guardrailId ? [[r.key, r.guardrailId] as const] : [])));
  const out: NonNullable<TApplyResult["exemptions"]> = [];
  for (const e of entries) {
    const base = { index: e.index ?? null, guardrail: e.guardrail, nodeId: e.nodeId, principal: e.principal, action: e.action };
    if (e.action === "remove") {
      await revokeExemption(deps, actor, e.exemptionId!);
      out.push({ ...base, outcome: "revoked", exemptionId: e.exemptionId ?? null, approvalId: null, approvalUrl: null });
    } else if (e.action === "unchanged") {
      out.push({
        ...base,
        outcome: e.pendingApproval ? "approval" : "unchanged",
        exemptionId: e.exemptionId ?? null,
        ...(e.pendingApproval ? approval(e.pendingApproval) : { approvalId: null, approvalUrl: null }),
      });
    } else {
      const x = input.document.exemptions![e.index!]!;
      const guardrailId = e.guardrailId ?? idOfKey.get(e.guardrail);
      if (!guardrailId) continue; // its guardrail was not created (a failure above already threw)
      const at = `document.exemptions.${e.index}`;
      const r = await fieldsAt(at, () =>
        requestExemption(deps, actor, {
          guardrailId,
          ...(x.nodeId !== undefined ? { nodeId: x.nodeId } : {}),
          ...(x.principal ? { principal: x.principal } : {}),
          reason: x.reason,
          ownerEmail: x.ownerEmail,
          expiresAt: x.expiresAt,
        }),
      );
      out.push({ ...base, outcome: "approval", exemptionId: r.exemption.id, ...approval(r.approval.id) });
    }
  }
  return out;
}

/** A request's field error named at the document's exemption (document.exemptions.2.expiresAt). */
async function fieldsAt<T>(prefix: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== "validation") throw e;
    const issues = e.issues.length > 0 ? e.issues : [{ field: "", message: e.message }];
    throw new AppError(
      "validation",
      `${prefix}.${e.message}`,
      issues.map((i) => ({ field: i.field ? `${prefix}.${i.field}` : prefix, message: i.message })),
    );
  }
}

async function applyChange(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  changes: { field: string }[],
  g: TCodeGuardrail,
  note: string,
  approval: (id: string) => { approvalId: string; approvalUrl: string },
): Promise<Pick<TApplyResult["results"][number], "outcome" | "approvalId" | "approvalUrl">> {
  const changed = new Set(changes.map((c) => c.field));
  const spec = ["name", "description", "params", "scope", "mode", "remediation"].some((f) => changed.has(f));
  if (spec) {
    const out = await updateGuardrail(deps, actor, id, {
      ...(changed.has("name") ? { name: g.name } : {}),
      ...(changed.has("description") ? { description: g.description } : {}),
      ...(changed.has("params") ? { params: g.params } : {}),
      ...(changed.has("scope") ? { scope: g.scope } : {}),
      ...(changed.has("mode") ? { mode: g.mode } : {}),
      ...(changed.has("remediation") ? { remediation: g.remediation } : {}),
      note,
    });
    // One approval at a time per guardrail: a disable in the same document waits for the next apply.
    if (out.kind === "approval") return { outcome: "approval", ...approval(out.approval.id) };
  }
  if (changed.has("enabled")) {
    if (g.enabled) await enableGuardrail(deps, actor, id);
    else return { outcome: "approval", ...approval((await requestGuardrailRemoval(deps, actor, id, "disable")).id) };
  }
  return { outcome: "applied", approvalId: null, approvalUrl: null };
}

async function markManagedFrom(deps: UseCaseDeps, actor: Actor, guardrailId: string, g: TCodeGuardrail, repo: string, commit: string) {
  await markManaged(deps.prisma, actor.workspaceId, guardrailId, {
    key: g.key,
    repo,
    commit,
    appliedHash: entryHash(g),
    appliedBy: actor.label,
  });
}
