/**
 * Adopt phase (live runs, after apply): carries out approved adoptions of customer policies (issue 19;
 * posture/adopt-foreign-policy.ts plans and asks for them). The one place Parapet writes to something it
 * does not own, and only in this order, per adoption:
 *
 *   1. read back the guardrail's own artifacts from the cloud (a fresh observe, right now): each must be
 *      present, equal to what Parapet compiled, and attached at or above every approved target;
 *   2. read the customer's policy: its body hash must be the one two people approved;
 *   3. detach it from the approved targets it is still attached to, one at a time, each write-ahead
 *      journalled (`inFlight`, then `detached`); targets beyond the approved ones are left alone, and the
 *      policy object is never edited, tagged or deleted;
 *   4. any failure before the last detach rolls back: attach it again wherever it was detached (and where
 *      a detach was in flight). Parapet's artifact stays: the guardrail wanted it before the adoption.
 *
 * Reads: posture_adoption, node (paths). Writes: posture_adoption (the journal), foreign_policy (stance),
 * audit_event; provider: `adapter.adoption` (DetachPolicy / AttachPolicy of the customer's policy only).
 * Guards: the lease is checked before every write; a crash anywhere leaves the journal saying what was
 * detached, and the next run either carries on (verifying again first) or finishes the rollback; an
 * adoption whose verification fails before anything was detached just fails, with the reason.
 */
import type { DesiredArtifact, ObservedState } from "@parapet/providers/contract";
import { isProviderError, logDetail, publicMessage } from "@parapet/providers/contract";
import { appendAudit } from "../../audit/audit.repository.ts";
import { adoptionsToRun, markAdopted, nodesByExternal, setAdoption } from "../../posture/posture.repository.ts";
import type { RunContext } from "./context.ts";

type Adoption = Awaited<ReturnType<typeof adoptionsToRun>>[number];

export async function adopt(ctx: RunContext, desired: readonly DesiredArtifact[], observed: ObservedState): Promise<void> {
  const adoptions = await adoptionsToRun(ctx.deps.prisma, ctx.connectionId);
  for (const a of adoptions) {
    try {
      await carryOn(ctx, a, desired, observed);
    } catch (e) {
      // The database or the lease went away mid-way: the journal says where it stopped; the next run resumes.
      ctx.deps.log?.(`reconcile ${ctx.connectionId}: adoption ${a.id} stopped: ${logDetail(e)}`);
    }
  }
}

async function carryOn(ctx: RunContext, a: Adoption, desired: readonly DesiredArtifact[], observed: ObservedState): Promise<void> {
  const port = ctx.adapter.adoption;
  if (!port) return finish(ctx, a, "failed", `adoption is not available on ${ctx.conn.cloud}`);
  if (a.state === "rolling-back") return rollback(ctx, a, a.error ?? "rolling back");

  const problem = await verifyOwnArtifact(ctx, a, desired, observed);
  if (problem) return a.detached.length || a.inFlight ? rollback(ctx, a, problem) : finish(ctx, a, "failed", problem);

  const now = await port.read(a.kind, a.policyExternalId);
  if (!now) {
    // Deleted by someone: there is nothing left to detach, nor to attach back.
    return finish(ctx, a, "failed", `${a.policyName} no longer exists in the cloud`);
  }
  if (now.contentHash !== a.contentHash) {
    const why = `${a.policyName} changed since the adoption was approved (its body is not the one proven)`;
    return a.detached.length || a.inFlight ? rollback(ctx, a, why) : finish(ctx, a, "failed", why);
  }
  let detached = [...a.detached];
  // A run that died after DetachPolicy returned but before recording it: the cloud says it is detached.
  if (a.inFlight && !now.attachments.includes(a.inFlight) && !detached.includes(a.inFlight)) detached.push(a.inFlight);
  const todo = a.targets.filter((t) => now.attachments.includes(t) && !detached.includes(t));
  const leftAttached = now.attachments.filter((t) => !a.targets.includes(t));
  ctx.lease.assertHeld();
  await setAdoption(ctx.deps.prisma, a.id, { state: "detaching", leftAttached, detached, inFlight: null });
  for (const target of todo) {
    ctx.lease.assertHeld();
    // Write-ahead: a crash during the call leaves `inFlight`, which rollback attaches back (a no-op if not detached).
    await setAdoption(ctx.deps.prisma, a.id, { inFlight: target });
    try {
      await port.detach({ kind: a.kind, externalId: a.policyExternalId, target, expectedHash: a.contentHash });
    } catch (e) {
      ctx.deps.log?.(`reconcile ${ctx.connectionId}: adoption ${a.id} detach at ${target} failed: ${logDetail(e)}`);
      return rollback(ctx, { ...a, detached, inFlight: target }, `detaching ${a.policyName} from ${target} failed: ${publicMessage(e)}`);
    }
    detached = [...detached, target];
    await setAdoption(ctx.deps.prisma, a.id, { detached, inFlight: null });
    await appendAudit(ctx.deps.prisma, {
      ...ctx.system,
      action: "posture.foreign_detached",
      targetType: "connection",
      targetId: ctx.connectionId,
      data: { adoption: a.id, policy: a.policyExternalId, name: a.policyName, target },
    });
  }
  const remaining = now.attachments.filter((t) => !detached.includes(t));
  await markAdopted(ctx.deps.prisma, a.foreignPolicyId, remaining);
  await finish(ctx, { ...a, detached }, "done", null);
}

/**
 * Step 1: the guardrail's own artifacts of the adopted kind, read back from the cloud now. Every desired
 * artifact carrying the guardrail whose attachments cover a target must be there, unmodified, and attached
 * at or above it (SCPs and RCPs apply to the whole subtree below where they are attached); a target no such
 * artifact covers (the guardrail's scope leaves part of it out) is refused, since detaching there leaves a gap.
 */
async function verifyOwnArtifact(
  ctx: RunContext,
  a: Adoption,
  desired: readonly DesiredArtifact[],
  observed: ObservedState,
): Promise<string | null> {
  const mine = desired.filter((d) => d.kind === a.kind && d.guardrailIds.includes(a.guardrailId));
  if (mine.length === 0)
    return `the guardrail has no ${a.kind === "aws.rcp" ? "RCP" : "SCP"} on this connection (out of scope, in audit mode, or disabled)`;
  const ids = new Map(observed.artifacts.filter((o) => o.owned).map((o) => [`${o.kind}|${o.name}`, o.externalId]));
  const fresh = await ctx.adapter.observe({
    expected: mine.map((d) => ({
      kind: d.kind,
      name: d.name,
      externalId: ids.get(`${d.kind}|${d.name}`) ?? null,
      attachments: d.attachments,
    })),
  });
  if (fresh.unreadable.length) return `Parapet's own artifact could not be read back: ${fresh.unreadable[0]!.reason}`;
  const nodes = await nodesByExternal(ctx.deps.prisma, ctx.connectionId, [
    ...new Set([...a.targets, ...mine.flatMap((d) => d.attachments)]),
  ]);
  const byExternal = new Map(nodes.map((n) => [n.externalId, n]));
  // External id of `at` is `target` or one of its ancestors (materialised path of node ids).
  const atOrAbove = (at: string, target: string) => {
    if (at === target) return true;
    const t = byExternal.get(target);
    const n = byExternal.get(at);
    return !!t && !!n && t.path.includes(`/${n.id}/`);
  };
  for (const target of a.targets.filter((t) => !a.detached.includes(t))) {
    const covering = mine.filter((d) => d.attachments.some((at) => atOrAbove(at, target)));
    const name = byExternal.get(target)?.name ?? target;
    if (covering.length === 0) return `the guardrail's scope does not cover all of ${name}: detaching there would leave a gap`;
    for (const d of covering) {
      const o = fresh.artifacts.find((x) => x.owned && x.kind === d.kind && x.name === d.name);
      if (!o) return `Parapet's ${d.name} is not in the cloud yet`;
      if (!ctx.adapter.compare(d, o).equal) return `Parapet's ${d.name} does not match what was compiled`;
      if (!o.attachments.some((at) => atOrAbove(at, target))) return `Parapet's ${d.name} is not attached at or above ${name} yet`;
    }
  }
  return null;
}

/** Step 4: attach the customer's policy back wherever it was (or may have been) detached. */
async function rollback(ctx: RunContext, a: Adoption, reason: string): Promise<void> {
  const port = ctx.adapter.adoption!;
  ctx.lease.assertHeld();
  await setAdoption(ctx.deps.prisma, a.id, {
    state: "rolling-back",
    error: reason.slice(0, 2000),
    detached: a.detached,
    inFlight: a.inFlight,
  });
  const back = [...new Set([...a.detached, ...(a.inFlight ? [a.inFlight] : [])])];
  const lost: string[] = [];
  for (const target of back) {
    ctx.lease.assertHeld();
    try {
      await port.reattach({ kind: a.kind, externalId: a.policyExternalId, target });
    } catch (e) {
      ctx.deps.log?.(`reconcile ${ctx.connectionId}: adoption ${a.id} attach back at ${target} failed: ${logDetail(e)}`);
      // Retryable (throttled, unavailable): the next run tries again. Otherwise (the target or policy is
      // gone) there is nothing to attach back to: said on the adoption.
      if (!isProviderError(e) || e.retryable) return;
      lost.push(`${target}: ${publicMessage(e)}`);
    }
  }
  await finish(
    ctx,
    a,
    "rolled-back",
    `${reason}${lost.length ? `; could not attach it back at ${lost.join("; ")}` : ""}; ${a.policyName} was attached back where it had been detached`,
  );
}

async function finish(ctx: RunContext, a: Adoption, state: "done" | "failed" | "rolled-back", error: string | null): Promise<void> {
  ctx.lease.assertHeld();
  await setAdoption(ctx.deps.prisma, a.id, {
    state,
    error: error?.slice(0, 2000) ?? null,
    inFlight: null,
    detached: state === "rolled-back" ? [] : a.detached,
    finishedAt: new Date(),
  });
  await appendAudit(ctx.deps.prisma, {
    ...ctx.system,
    action: state === "done" ? "posture.adopted" : state === "failed" ? "posture.adoption_failed" : "posture.adoption_rolled_back",
    targetType: "connection",
    targetId: ctx.connectionId,
    data: {
      adoption: a.id,
      approval: a.approvalId,
      policy: a.policyExternalId,
      name: a.policyName,
      guardrail: a.guardrailId,
      detached: a.detached,
      error,
    },
  });
}
