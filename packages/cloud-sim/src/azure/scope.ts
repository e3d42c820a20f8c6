/**
 * ARM scopes the simulator understands. Keys are lower-cased (ARM paths are case-insensitive);
 * canonical strings keep ARM's casing for ids in responses.
 */
export type Scope =
  { kind: "tenant" } | { kind: "mg"; mg: string } | { kind: "sub"; sub: string } | { kind: "rg"; sub: string; rg: string };

export const MG_PREFIX = "/providers/Microsoft.Management/managementGroups/";

export function scopeKey(s: Scope): string {
  switch (s.kind) {
    case "tenant":
      return "";
    case "mg":
      return `/providers/microsoft.management/managementgroups/${s.mg.toLowerCase()}`;
    case "sub":
      return `/subscriptions/${s.sub.toLowerCase()}`;
    case "rg":
      return `/subscriptions/${s.sub.toLowerCase()}/resourcegroups/${s.rg.toLowerCase()}`;
  }
}

/** Parses "/providers/Microsoft.Management/managementGroups/x", "/subscriptions/y[/resourceGroups/z]" (leading slash optional). */
export function parseScope(raw: string): Scope | undefined {
  const segs = raw.split("/").filter((s) => s.length > 0);
  const l = segs.map((s) => s.toLowerCase());
  if (segs.length === 0) return { kind: "tenant" };
  if (segs.length === 3 && l[0] === "providers" && l[1] === "microsoft.management" && l[2] === "managementgroups") {
    return undefined;
  }
  if (segs.length === 4 && l[0] === "providers" && l[1] === "microsoft.management" && l[2] === "managementgroups") {
    return { kind: "mg", mg: segs[3]! };
  }
  if (segs.length === 2 && l[0] === "subscriptions") return { kind: "sub", sub: segs[1]! };
  if (segs.length === 4 && l[0] === "subscriptions" && l[2] === "resourcegroups") {
    return { kind: "rg", sub: segs[1]!, rg: segs[3]! };
  }
  return undefined;
}

export interface ParsedResourceId {
  scope: Scope;
  /** Lower-cased collection, e.g. "policydefinitions". */
  type: string;
  name: string;
}

/** Splits "{scope}/providers/Microsoft.Authorization/{type}/{name}". */
export function parsePolicyResourceId(id: string): ParsedResourceId | undefined {
  const segs = id.split("/").filter((s) => s.length > 0);
  if (segs.length < 4) return undefined;
  const n = segs.length;
  if (segs[n - 4]!.toLowerCase() !== "providers" || segs[n - 3]!.toLowerCase() !== "microsoft.authorization") {
    return undefined;
  }
  const scope = parseScope("/" + segs.slice(0, n - 4).join("/"));
  if (!scope) return undefined;
  return { scope, type: segs[n - 2]!.toLowerCase(), name: segs[n - 1]! };
}
