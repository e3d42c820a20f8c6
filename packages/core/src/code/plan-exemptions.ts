import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { invalidField } from "../common/errors.ts";
import { exemptPrincipalProblem } from "../exemptions/exempt-principal.ts";
import { pendingApprovals } from "../guardrails/guardrails.repository.ts";
import { existingNodeIds } from "../nodes/nodes.repository.ts";
import { liveExemptions } from "./code.repository.ts";
import { exemptionMaxDays } from "../exemptions/exemptions.repository.ts";
import { exemptionSubject, type TCodeDocument, type TCodeExemption, type TExemptionPlanEntry } from "./code.schema.ts";

type Row = Awaited<ReturnType<typeof liveExemptions>>[number];

const DAY_MS = 86_400_000;
/** What a second member approves: the reason, the owner and the expiry. A change to any is a new request. */
const FIELDS = ["reason", "ownerEmail", "expiresAt"] as const;

const formOf = (r: Row) => ({ reason: r.reason, ownerEmail: r.ownerEmail, expiresAt: r.expiresAt.toISOString() });
const subjectOf = (x: { nodeId?: string | null; principal?: { cloud: string; id: string } | null }) => ({
  nodeId: x.nodeId ?? null,
  principal: x.principal ? { cloud: x.principal.cloud, id: x.principal.id } : null,
});

function changesOf(e: TCodeExemption, r: Row) {
  const have = formOf(r);
  const want = { reason: e.reason, ownerEmail: e.ownerEmail, expiresAt: new Date(e.expiresAt).toISOString() };
  return FIELDS.filter((f) => have[f] !== want[f]).map((f) => ({ field: f, from: have[f], to: want[f] }));
}

/**
 * Compares the document's `exemptions` with the workspace's live ones (active or waiting for approval,
 * not expired). An exemption is identified by its guardrail and its subject (node or principal); the
 * reason, owner and expiry are what a second member approved, so a difference in any is a change, which
 * apply requests anew through the two-person approval. A workspace exemption the document does not list
 * is removed (revoked). A document without `exemptions` leaves exemptions out of the plan.
 *
 * Several rows of one subject: the one equal to the document wins (an active one first). While the
 * document's version of an exemption waits for approval, the active one it replaces stays (revoked by
 * the first apply after the approval); an older request still pending is withdrawn.
 *
 * Checks what a request would: the subject (one node of the workspace, or one principal a policy can
 * spare) and, for a new or changed exemption, an expiry in the future within the workspace's maximum.
 * Errors name `document.exemptions.<i>.<field>`.
 */
export async function planExemptions(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  doc: TCodeDocument,
  /** Document key → workspace guardrail id (matched guardrails), and workspace guardrail id → key (all). */
  keys: { idOfKey: ReadonlyMap<string, string>; keyOfId: (id: string) => string },
): Promise<TExemptionPlanEntry[] | undefined> {
  if (!doc.exemptions) return undefined;
  const db = deps.prisma;
  const [rows, pending, maxDays, nodes] = await Promise.all([
    liveExemptions(db, actor.workspaceId),
    pendingApprovals(db, actor.workspaceId, "exemption"),
    exemptionMaxDays(db, actor.workspaceId),
    existingNodeIds(
      db,
      actor.workspaceId,
      doc.exemptions.flatMap((e) => (e.nodeId ? [e.nodeId] : [])),
    ),
  ]);
  const pendingOf = new Map(pending.map((p) => [p.subjectId, p.id]));
  const bySubject = new Map<string, Row[]>();
  for (const r of rows) {
    const k = exemptionSubject({
      guardrail: keys.keyOfId(r.guardrailId),
      nodeId: r.nodeId,
      principal: r.principal && r.principalCloud ? { cloud: r.principalCloud, id: r.principal } : null,
    });
    bySubject.set(k, [...(bySubject.get(k) ?? []), r]);
  }

  const entries: TExemptionPlanEntry[] = [];
  const used = new Set<string>();
  const now = Date.now();
  for (const [i, e] of doc.exemptions.entries()) {
    const at = `document.exemptions.${i}`;
    if (e.nodeId !== undefined && !nodes.has(e.nodeId)) throw invalidField(`${at}.nodeId`, `no node "${e.nodeId}" in this workspace`);
    if (e.principal) {
      const problem = exemptPrincipalProblem(e.principal.cloud, e.principal.id);
      if (problem) throw invalidField(`${at}.${problem.field}`, problem.message);
    }
    const candidates = bySubject.get(exemptionSubject(e)) ?? [];
    const equal = candidates.filter((r) => changesOf(e, r).length === 0);
    const chosen =
      equal.find((r) => r.status === "active") ?? equal[0] ?? candidates.find((r) => r.status === "active") ?? candidates[0] ?? null;
    const changes = chosen ? changesOf(e, chosen) : [];
    const action = !chosen ? "add" : changes.length > 0 ? "change" : "unchanged";
    if (action !== "unchanged") {
      const expires = Date.parse(e.expiresAt);
      if (expires <= now) throw invalidField(`${at}.expiresAt`, "must be in the future (an expired exemption: remove it from the file)");
      if (expires > now + maxDays * DAY_MS)
        throw invalidField(`${at}.expiresAt`, `must be at most ${maxDays} days from now (the workspace's maximum)`);
    }
    if (chosen) used.add(chosen.id);
    // Waiting for its approval: the active exemption it replaces stays until then.
    if (chosen && action === "unchanged" && chosen.status === "pending_approval")
      for (const r of candidates) if (r.status === "active") used.add(r.id);
    entries.push({
      index: i,
      guardrail: e.guardrail,
      guardrailId: keys.idOfKey.get(e.guardrail) ?? null,
      ...subjectOf(e),
      action,
      exemptionId: chosen?.id ?? null,
      changes,
      reason: e.reason,
      expiresAt: new Date(e.expiresAt).toISOString(),
      pendingApproval: chosen && action === "unchanged" && chosen.status === "pending_approval" ? (pendingOf.get(chosen.id) ?? null) : null,
    });
  }
  for (const r of rows) {
    if (used.has(r.id)) continue;
    entries.push({
      index: null,
      guardrail: keys.keyOfId(r.guardrailId),
      guardrailId: r.guardrailId,
      ...subjectOf({ nodeId: r.nodeId, principal: r.principal && r.principalCloud ? { cloud: r.principalCloud, id: r.principal } : null }),
      action: "remove",
      exemptionId: r.id,
      changes: [],
      reason: r.reason,
      expiresAt: r.expiresAt.toISOString(),
      pendingApproval: null,
    });
  }
  return entries;
}
