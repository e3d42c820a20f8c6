import { invalid } from "./errors.ts";
import type { Folder, Project } from "./model.ts";

// ---------------------------------------------------------------- search query

interface Term {
  key: string;
  value: string;
}

export function parseQuery(q: string | null): Term[] {
  if (!q || !q.trim()) return [];
  const terms: Term[] = [];
  const re = /\s*([A-Za-z_.][A-Za-z0-9_.-]*)\s*([:=])\s*("([^"]*)"|'([^']*)'|[^\s]+)/y;
  let pos = 0;
  const src = q.trim();
  while (pos < src.length) {
    if (/^\s*AND\s/i.test(src.slice(pos))) {
      pos += /^\s*AND\s/i.exec(src.slice(pos))?.[0].length ?? 0;
      continue;
    }
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw invalid(`Invalid query "${q}".`, "query");
    terms.push({ key: m[1] ?? "", value: m[4] ?? m[5] ?? m[3] ?? "" });
    pos = re.lastIndex;
  }
  return terms;
}

export function matchValue(actual: string | undefined, pattern: string): boolean {
  if (actual === undefined) return false;
  if (pattern === "*") return true;
  const a = actual.toLowerCase();
  const p = pattern.toLowerCase();
  if (p.startsWith("*") && p.endsWith("*") && p.length > 1) return a.includes(p.slice(1, -1));
  if (p.endsWith("*")) return a.startsWith(p.slice(0, -1));
  if (p.startsWith("*")) return a.endsWith(p.slice(1));
  return a === p;
}

export function projectMatches(p: Project, terms: Term[]): boolean {
  for (const t of terms) {
    const k = t.key;
    let ok: boolean;
    if (k === "id" || k === "projectId") ok = matchValue(p.projectId, t.value);
    else if (k === "name" || k === "displayName") ok = matchValue(p.displayName, t.value);
    else if (k === "projectNumber" || k === "number") ok = matchValue(p.number, t.value);
    else if (k === "parent") ok = matchValue(p.parent, t.value);
    else if (k === "parent.type") ok = matchValue(p.parent.split("/")[0]?.replace(/s$/, ""), t.value);
    else if (k === "parent.id") ok = matchValue(p.parent.split("/")[1], t.value);
    else if (k === "state" || k === "lifecycleState") ok = matchValue(p.state, t.value);
    else if (k.startsWith("labels.")) ok = matchValue(p.labels[k.slice(7)], t.value);
    else throw invalid(`Unsupported search field "${k}".`, "query");
    if (!ok) return false;
  }
  return true;
}

export function folderMatches(f: Folder, terms: Term[]): boolean {
  for (const t of terms) {
    let ok: boolean;
    if (t.key === "displayName" || t.key === "name") ok = matchValue(f.displayName, t.value);
    else if (t.key === "parent") ok = matchValue(f.parent, t.value);
    else if (t.key === "state" || t.key === "lifecycleState") ok = matchValue(f.state, t.value);
    else throw invalid(`Unsupported search field "${t.key}".`, "query");
    if (!ok) return false;
  }
  return true;
}
