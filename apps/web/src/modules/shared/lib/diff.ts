/** Line diff by longest common subsequence; inputs are bounded (policy documents), so O(n·m) is fine. */
export type DiffLine = { t: "same" | "add" | "del"; text: string };

const MAX_CELLS = 4_000_000;

export function diffLines(a: string, b: string): DiffLine[] {
  const x = a.split("\n");
  const y = b.split("\n");
  const n = x.length;
  const m = y.length;
  if (n * m > MAX_CELLS) {
    // Too large to align: show both sides whole rather than freeze the tab.
    return [...x.map((text) => ({ t: "del" as const, text })), ...y.map((text) => ({ t: "add" as const, text }))];
  }
  const w = m + 1;
  const L = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      L[i * w + j] = x[i] === y[j] ? L[(i + 1) * w + j + 1]! + 1 : Math.max(L[(i + 1) * w + j]!, L[i * w + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ t: "same", text: x[i]! });
      i++;
      j++;
    } else if (L[(i + 1) * w + j]! >= L[i * w + j + 1]!) out.push({ t: "del", text: x[i++]! });
    else out.push({ t: "add", text: y[j++]! });
  }
  while (i < n) out.push({ t: "del", text: x[i++]! });
  while (j < m) out.push({ t: "add", text: y[j++]! });
  return out;
}

/** Top-level field changes between two records, for version history. */
export function fieldChanges(a: Record<string, unknown>, b: Record<string, unknown>): { field: string; before: unknown; after: unknown }[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => ({ field: k, before: a[k], after: b[k] }));
}
