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

export type MatrixLine<R> = { type: "group"; key: string; connectionId: string } | { type: "row"; key: string; row: R };

/** Flattens rows into lines with a header line wherever the connection changes. */
export function groupByConnection<R extends { node: { id: string; connectionId: string } }>(rows: readonly R[]): MatrixLine<R>[] {
  const out: MatrixLine<R>[] = [];
  let last: string | null = null;
  for (const row of rows) {
    if (row.node.connectionId !== last) {
      last = row.node.connectionId;
      out.push({ type: "group", key: `g:${last}:${out.length}`, connectionId: last });
    }
    out.push({ type: "row", key: row.node.id, row });
  }
  return out;
}
