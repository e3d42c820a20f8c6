/**
 * Input that no handler should ever see: strings PostgreSQL cannot store, and JSON nested deeper than
 * any of Parapet's schemas go. Shared by the web API's body/query parsing and by tests that predict
 * what it will refuse.
 */

// Postgres text cannot hold NUL, and a lone UTF-16 surrogate is not valid text anywhere.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The deepest JSON nesting accepted. Parapet's deepest documents (guardrail params, connection
 * wizard state) are a few levels; past this, recursive validators and PostgreSQL's jsonb parser
 * would run out of stack instead of answering.
 */
export const MAX_JSON_DEPTH = 32;

export interface UnstorableIssue {
  field: string;
  message: string;
}

/**
 * The first string (or key) that cannot be stored, or the first value nested deeper than
 * MAX_JSON_DEPTH, with its path. Iterative, so a hostile 100,000-level document cannot overflow the stack.
 */
export function unstorableIssue(root: unknown, rootPath: string[] = []): UnstorableIssue | null {
  const stack: [unknown, string[]][] = [[root, rootPath]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    const field = () => path.join(".") || "body";
    if (typeof v === "string") {
      if (UNSTORABLE.test(v)) return { field: field(), message: "contains a NUL character or broken unicode" };
      continue;
    }
    if (!v || typeof v !== "object") continue;
    if (path.length - rootPath.length >= MAX_JSON_DEPTH)
      return { field: `${path.slice(0, rootPath.length + 3).join(".")}…`, message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    if (!Array.isArray(v))
      for (const [k] of entries)
        if (UNSTORABLE.test(k)) return { field: [...path, "(key)"].join("."), message: "contains a NUL character or broken unicode" };
    // Pushed in reverse so the first offending value in document order is reported.
    for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], [...path, entries[i]![0]]]);
  }
  return null;
}

/** The path of the first unstorable string or over-deep value (see unstorableIssue), if any. */
export function unstorableString(v: unknown, path: string[]): string | null {
  return unstorableIssue(v, path)?.field ?? null;
}
