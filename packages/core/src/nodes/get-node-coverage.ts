import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import {
  activeGuardrailDetails,
  attachingArtifacts,
  exemptionsOn,
  nodeCells,
  pathNodes,
  subtreeCounts,
} from "../coverage/coverage.repository.ts";
import { findNodeForCoverage } from "./nodes.repository.ts";

interface PlaceRef {
  id: string;
  name: string;
  kind: string;
  externalId: string;
}

export interface NodeGuardrailCoverage {
  guardrail: { id: string; name: string; controlId: string; mode: string; remediation: string };
  /** An environment's own cell (null: the guardrail does not select it, or this is not an environment). */
  status: string | null;
  fidelity: string | null;
  detail: string | null;
  updatedAt: string | null;
  /** Below a non-environment node: cells per status over its environments. */
  counts: Record<string, number> | null;
  /**
   * Where the guardrail's native artifacts are attached on the way from the root to this node, nearest
   * first (attachment as high as possible means usually exactly one place).
   */
  attachedAt: Array<{ node: PlaceRef; here: boolean; artifacts: Array<{ kind: string; name: string; state: string }> }>;
  exemptions: Array<{ id: string; node: PlaceRef; reason: string; ownerEmail: string; expiresAt: string }>;
}

/** Cloud ids as attachments name them: Azure scopes are stored without their leading slash. */
const norm = (s: string) => s.replace(/^\/+/, "").toLowerCase();

/**
 * Which guardrails apply to one node, where each is attached (the attachment point is found from
 * Parapet's recorded artifacts: the nearest node on the root path whose attachment carries the
 * guardrail) and its status: the environment's cell, or per-status counts over the subtree.
 */
export async function getNodeCoverage(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  const node = await findNodeForCoverage(deps.prisma, actor.workspaceId, id);
  if (!node) throw notFound("node", id);
  const ancestorIds = node.path.split("/").filter((x) => x && x !== node.id);
  const [guardrails, artifacts, ancestors, cells, counts, exemptions] = await Promise.all([
    activeGuardrailDetails(deps.prisma, actor.workspaceId),
    attachingArtifacts(deps.prisma, node.connectionId),
    pathNodes(deps.prisma, ancestorIds),
    node.isEnvironment ? nodeCells(deps.prisma, node.id) : Promise.resolve([]),
    // A root answers for its whole connection (a connection may have several roots).
    node.isEnvironment ? Promise.resolve([]) : subtreeCounts(deps.prisma, node.parentId ? node.id : node.connectionId),
    exemptionsOn(deps.prisma, actor.workspaceId, [...ancestorIds, node.id]),
  ]);
  const byId = new Map(ancestors.map((a) => [a.id, a]));
  const chain: PlaceRef[] = [...ancestorIds.map((a) => byId.get(a)).filter((a) => a !== undefined), node].map((n) => ({
    id: n.id,
    name: n.name,
    kind: n.kind,
    externalId: n.externalId,
  }));
  const depthOf = new Map(chain.map((n, i) => [n.id, i]));
  const placeByExternal = new Map(chain.map((n) => [norm(n.externalId), n]));

  const attached = new Map<string, Map<string, NodeGuardrailCoverage["attachedAt"][number]>>();
  for (const a of artifacts) {
    for (const target of a.attachments as string[]) {
      const place = placeByExternal.get(norm(String(target)));
      if (!place) continue;
      for (const g of a.guardrailIds) {
        const byPlace = attached.get(g) ?? new Map<string, NodeGuardrailCoverage["attachedAt"][number]>();
        const entry = byPlace.get(place.id) ?? { node: place, here: place.id === node.id, artifacts: [] };
        entry.artifacts.push({ kind: a.kind, name: a.name, state: a.state });
        byPlace.set(place.id, entry);
        attached.set(g, byPlace);
      }
    }
  }
  const cellOf = new Map(cells.map((c) => [c.guardrailId, c]));
  const countsOf = new Map<string, Record<string, number>>();
  for (const c of counts) {
    const m = countsOf.get(c.guardrailId) ?? {};
    m[c.status] = c.n;
    countsOf.set(c.guardrailId, m);
  }
  const placeOf = new Map(chain.map((n) => [n.id, n]));

  const items: NodeGuardrailCoverage[] = [];
  for (const g of guardrails) {
    const cell = cellOf.get(g.id);
    const at = [...(attached.get(g.id)?.values() ?? [])].sort((x, y) => (depthOf.get(y.node.id) ?? 0) - (depthOf.get(x.node.id) ?? 0));
    const ex = exemptions.filter((e) => e.guardrailId === g.id);
    const c = countsOf.get(g.id) ?? null;
    if (!cell && at.length === 0 && ex.length === 0 && !c) continue;
    items.push({
      guardrail: g,
      status: cell?.status ?? null,
      fidelity: cell?.fidelity ?? null,
      detail: cell?.detail ?? null,
      updatedAt: cell?.updatedAt.toISOString() ?? null,
      counts: c,
      attachedAt: at,
      exemptions: ex.map((e) => ({
        id: e.id,
        node: placeOf.get(e.nodeId)!,
        reason: e.reason,
        ownerEmail: e.ownerEmail,
        expiresAt: e.expiresAt.toISOString(),
      })),
    });
  }
  return {
    node: {
      id: node.id,
      connectionId: node.connectionId,
      name: node.name,
      kind: node.kind,
      externalId: node.externalId,
      isEnvironment: node.isEnvironment,
      path: chain.slice(0, -1),
    },
    items,
  };
}
