/**
 * Apply phase (live runs): the plan's changes in plan order, each journalled.
 *
 * Reads: the plan, the observation (ids of owned artifacts). Writes: one apply intent per change before
 * it is sent (write-ahead), then — in one transaction once the cloud took it — the intent's outcome, the
 * artifact record and the change's audit event; provider writes (`apply`) in plan order.
 * Guards: a crash at any point converges on the next run (the one change in flight stays an open intent
 * that the settle phase resolves); constructive changes run first and nothing destructive runs after a
 * constructive change failed; a cleanup the cloud refuses as not Parapet's (NOT_OWNED) is left to a
 * person, never forced; the cloud's raw error text goes to the operator log only.
 */
import type { ApplyResult, Change, ObservedState } from "@parapet/providers/contract";
import { isProviderError, logDetail, publicMessage } from "@parapet/providers/contract";
import type { AuditInput } from "../../audit/audit.repository.ts";
import { keepIntentOpen, openIntent, recordApplied, recordNotApplied } from "../apply-journal.repository.ts";
import { changeArtifactKey } from "../apply-journal.ts";
import type { Plan, PlannedChange } from "../plan.ts";
import type { Applied, RunContext, RunRow, SystemActor } from "./context.ts";

export async function apply(ctx: RunContext, run: RunRow, plan: Plan, observed: ObservedState): Promise<Applied> {
  const { prisma } = ctx.deps;
  const { connectionId, adapter } = ctx;
  const journal = { workspaceId: ctx.conn.workspaceId, connectionId };
  const externalIds = new Map<string, string>();
  for (const o of observed.artifacts) if (o.owned) externalIds.set(`${o.kind}|${o.name}`, o.externalId);
  const out: Applied = { applied: 0, failed: 0, externalIds, problems: [] };
  // Plan order; stop at the first failure of protection (the next run re-plans from what is there).
  for (let seq = 0; seq < plan.changes.length; seq++) {
    const pc = plan.changes[seq]!;
    let change: Change = pc.change;
    if (change.op === "attach" && !change.externalId) {
      change = { ...change, externalId: externalIds.get(`${change.kind}|${change.name}`) ?? "" };
    }
    // Checked before the intent, so every change sent is journalled and a lost lease leaves no intent pending.
    ctx.lease.assertHeld();
    const intentId = await openIntent(prisma, connectionId, run.id, seq, changeKey(change), change);
    let res: ApplyResult;
    try {
      res = await adapter.apply(change);
    } catch (e) {
      // Users (intent journal, run, lastError) get the classified text; the raw answer goes to the log.
      const message = publicMessage(e);
      ctx.deps.log?.(`reconcile ${connectionId}: apply ${changeKey(change)} failed: ${logDetail(e)}`);
      // A refusal (invalid, conflict, throttled, auth, limit) means the cloud did not take it. A lost
      // connection or an unavailable answer may come after the cloud did: the intent stays open and the
      // next run settles it from what the cloud shows, so an applied change is never mistaken for drift.
      if (!isProviderError(e) || e.kind === "unavailable") await keepIntentOpen(prisma, intentId, message);
      else await recordNotApplied(prisma, intentId, message);
      // Removing something the cloud says is shared with the customer (e.g. a GCP org policy slot) is
      // a job for a person: report it and carry on; it is not a failure of protection.
      if (pc.cause === "cleanup" && isProviderError(e) && e.code === "NOT_OWNED") {
        out.problems.push({ code: "compile", message: `manual cleanup needed: ${e.message}`, guardrailIds: pc.guardrailIds });
        continue;
      }
      out.failed++;
      out.applyError = message;
      // Constructive changes run first; after a failure, stop before anything destructive runs.
      if (pc.cause !== "cleanup") break;
      continue;
    }
    if (change.op === "create" && res.externalId) externalIds.set(`${change.artifact.kind}|${change.artifact.name}`, res.externalId);
    // Recorded (with its audit event) as soon as the cloud took it: a kill after this point loses nothing.
    // A failure here (the database went away) ends the run; the intent stays open for the next run to settle.
    await recordApplied(prisma, journal, intentId, change, { ...res }, changeAudit(ctx.system, pc, change, ctx.opts));
    out.applied++;
  }
  return out;
}

function changeAudit(system: SystemActor, pc: PlannedChange, change: Change, opts: RunContext["opts"]): AuditInput {
  return {
    ...system,
    action: `artifact.${change.op}`,
    targetType: "artifact",
    targetId: changeArtifactKey(change).name,
    data: {
      cause: pc.cause,
      reason: change.reason,
      guardrails: pc.guardrailIds,
      ...("target" in change ? { target: change.target } : {}),
      trigger: opts.trigger,
      ...(opts.reason ? { why: opts.reason } : {}),
    },
  };
}

/** The intent's key: op, artifact and target (what the fault suite and history read). */
function changeKey(c: Change): string {
  const name = "artifact" in c ? `${c.artifact.kind}|${c.artifact.name}` : `${c.kind}|${c.name}`;
  return `${c.op}|${name}${"target" in c ? `|${c.target}` : ""}`;
}
