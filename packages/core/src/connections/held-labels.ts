/**
 * Cloud tags are labels, and labels decide scope: anyone allowed to tag an account in the cloud could
 * step it out of "env=prod" guardrails by retagging it, with no second person in Parapet. Such a change
 * cannot be approved before it happens, so discovery holds it instead of raising an alert only: when
 * the new tags would drop guardrail × environment pairs, the environment keeps its previous labels as
 * pinned overrides (protection stays as it was), an open `label_held` drift finding and an audit event
 * say what the cloud now says, and accepting the cloud's value means removing the pin, which is a
 * relabel that loses coverage and so needs a second member's approval (set-node-labels.ts).
 * Holding rather than only alerting: an alert leaves the guardrail off while someone reads it.
 */
import type { PrismaClient, Tx } from "@parapet/db";
import { canonicalJson } from "@parapet/providers/contract";
import { appendAudit } from "../audit/audit.repository.ts";
import { lostPairs, type LostPair } from "../nodes/label-coverage.ts";
import { findOpenFinding, insertHeldFinding, refreshFinding, resolveHeldFindings } from "./hierarchy.repository.ts";

export interface HeldLabels {
  nodeId: string;
  name: string;
  /** Overrides that keep the previous effective labels (null: the label was absent before). */
  pins: Record<string, string | null>;
  lost: LostPair[];
}

interface ExistingNode {
  id: string;
  name: string;
  state: string;
  effectiveLabels: unknown;
}

export async function holdLostLabels(
  prisma: PrismaClient,
  workspaceId: string,
  existing: ExistingNode[],
  next: ReadonlyMap<string, Record<string, string>>,
): Promise<HeldLabels[]> {
  const changed = new Map<string, Record<string, string>>();
  for (const n of existing) {
    const labels = next.get(n.id);
    if (n.state === "active" && labels && canonicalJson(n.effectiveLabels ?? {}) !== canonicalJson(labels)) changed.set(n.id, labels);
  }
  if (changed.size === 0) return [];
  const lost = await lostPairs(prisma, workspaceId, changed);
  const byNode = new Map<string, LostPair[]>();
  for (const p of lost) byNode.set(p.nodeId, [...(byNode.get(p.nodeId) ?? []), p]);
  const out: HeldLabels[] = [];
  for (const [nodeId, pairs] of byNode) {
    const node = existing.find((n) => n.id === nodeId)!;
    const before = (node.effectiveLabels ?? {}) as Record<string, string>;
    const after = changed.get(nodeId) ?? {};
    const pins: Record<string, string | null> = {};
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) if (before[k] !== after[k]) pins[k] = before[k] ?? null;
    out.push({ nodeId, name: node.name, pins, lost: pairs });
  }
  return out;
}

/** One audit event and one open `label_held` finding per held environment (refreshed, not duplicated). */
export async function recordHeldLabels(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  held: HeldLabels[],
  cloudLabelsOf: (nodeId: string) => Record<string, string>,
): Promise<void> {
  const now = new Date();
  for (const x of held) {
    const guardrails = [...new Set(x.lost.map((p) => p.guardrail))];
    const summary =
      `Cloud tags of ${x.name} changed in a way that would take it out of ${guardrails.map((g) => `"${g}"`).join(", ")}; its previous labels are held until a member approves the change`.slice(
        0,
        1000,
      );
    const fingerprint = `label_held|${x.nodeId}`;
    const open = await findOpenFinding(prisma, connectionId, fingerprint);
    const data = { summary, expected: x.pins as object, observed: cloudLabelsOf(x.nodeId), lastSeenAt: now };
    const finding = open
      ? await refreshFinding(prisma, open.id, data)
      : await insertHeldFinding(prisma, {
          workspaceId,
          connectionId,
          nodeId: x.nodeId,
          guardrailId: x.lost[0]!.guardrailId,
          kind: "label_held",
          fingerprint,
          ...data,
        });
    await appendAudit(prisma, {
      workspaceId,
      actorType: "system",
      actorLabel: "parapet",
      action: "node.labels_held",
      targetType: "node",
      targetId: x.nodeId,
      data: { held: x.pins, cloud: cloudLabelsOf(x.nodeId), guardrails, environmentsKept: x.lost.length, driftId: finding.id },
    });
  }
}

/** A member changed the node's labels (directly or by approval): the held finding is settled. */
export async function settleHeldLabels(db: PrismaClient | Tx, nodeId: string, by: string): Promise<void> {
  await resolveHeldFindings(db, nodeId, by);
}
