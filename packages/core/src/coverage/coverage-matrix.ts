import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { decodeCursor, encodeCursor, ZSortKeyCursor } from "../common/pagination.ts";
import type { TMatrixQuery } from "./coverage.schema.ts";
import { activeGuardrails, matrixPage, nodeNames } from "./coverage.repository.ts";
import { COVERAGE_STATUSES, type TCoverageStatus } from "../reports/model.ts";

/** A status's code in a page's `cells`: its index in COVERAGE_STATUSES, which the page sends as `statuses`. */
const CODE = new Map<TCoverageStatus, number>(COVERAGE_STATUSES.map((s, i) => [s, i]));

/**
 * Environments × active guardrails, paged by environment in hierarchy order (connection, then the tree
 * depth-first with siblings by name): one statement for the page of environments with their cells and
 * posture, one for the names on their paths. The cursor is the last row's stored sort key, so the next page starts
 * there in the index (keyset), and a row renamed or moved between two requests cannot shift the pages. Each row carries its ancestors' names and its parent's id, so a client
 * can show a header wherever the branch changes.
 */
export async function coverageMatrix(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, q: TMatrixQuery) {
  const after = decodeCursor(q.cursor, ZSortKeyCursor);
  const [guardrails, envs] = await Promise.all([
    activeGuardrails(deps.prisma, actor.workspaceId),
    matrixPage(deps.prisma, actor.workspaceId, {
      connectionId: q.connectionId,
      status: q.status,
      afterKey: after?.k,
      take: q.limit + 1,
    }),
  ]);
  const more = envs.length > q.limit;
  const page = more ? envs.slice(0, q.limit) : envs;
  // Each row's ancestors, split once: their names, the row's path and its parent all come from them.
  const ancestorsOf = page.map((n) => n.path.split("/").filter((x) => x && x !== n.id));
  const ancestorIds = [...new Set(ancestorsOf.flat())];
  const ancestors = await nodeNames(deps.prisma, ancestorIds);
  const nameOf = new Map(ancestors.map((a) => [a.id, a.name]));
  const last = page[page.length - 1];
  return {
    guardrails: guardrails.map((g) => ({ id: g.id, name: g.name })),
    statuses: [...COVERAGE_STATUSES],
    items: page.map((n, i) => ({
      node: {
        id: n.id,
        name: n.name,
        externalId: n.externalId,
        connectionId: n.connectionId,
        path: ancestorsOf[i]!.map((id) => nameOf.get(id) ?? id),
        parentId: ancestorsOf[i]!.at(-1) ?? null,
      },
      cells: guardrails.map((g) => {
        const s = n.cells?.[g.id];
        return s === undefined ? null : (CODE.get(s) ?? null);
      }),
      // Posture column: for each active guardrail, whether the customer's own policies already enforce its control there.
      posture: Object.fromEntries(
        guardrails.flatMap((g) => {
          const p = n.posture?.find((x) => x.controlId === g.controlId);
          return p && p.status !== "none" ? [[g.id, { status: p.status, by: p.enforcedBy }]] : [];
        }),
      ),
    })),
    nextCursor: more && last ? encodeCursor({ k: last.sortKey }) : null,
  };
}
