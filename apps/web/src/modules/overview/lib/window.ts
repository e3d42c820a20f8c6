/**
 * Row windowing for long lists (the coverage matrix at 10,000 environments): only the rows in view,
 * plus a small overscan, are mounted; spacers keep the scrollbar honest.
 */
export interface WindowRange {
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
}

export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8): WindowRange {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewport) / rowHeight) + 1;
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.max(start, Math.min(count, first + visible + overscan));
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight };
}

export type MatrixLine<R> =
  | { type: "group"; key: string; connectionId: string }
  | { type: "branch"; key: string; connectionId: string; path: string[] }
  | { type: "row"; key: string; row: R; depth: number };

interface GroupableRow {
  node: { id: string; connectionId: string; path: string | string[]; parentId?: string | null };
}

const pathOf = (p: string | string[]) => (Array.isArray(p) ? p : p.split("/").filter(Boolean));

/**
 * Flattens rows that arrive in hierarchy order into lines: a connection header where the connection
 * changes and a branch header (the path of names down to the parent) wherever the parent changes, so
 * every environment is shown under the place it sits in the tree.
 */
export function groupByHierarchy<R extends GroupableRow>(rows: readonly R[]): MatrixLine<R>[] {
  const out: MatrixLine<R>[] = [];
  let lastConn: string | null = null;
  let lastBranch: string | null = null;
  for (const row of rows) {
    const path = pathOf(row.node.path);
    if (row.node.connectionId !== lastConn) {
      lastConn = row.node.connectionId;
      lastBranch = null;
      out.push({ type: "group", key: `g:${lastConn}:${out.length}`, connectionId: lastConn });
    }
    const branch = row.node.parentId ?? path.join("\u0000");
    if (branch !== lastBranch) {
      lastBranch = branch;
      out.push({ type: "branch", key: `b:${branch}:${out.length}`, connectionId: lastConn, path });
    }
    out.push({ type: "row", key: row.node.id, row, depth: path.length });
  }
  return out;
}
