/**
 * ARM scopes as Parapet writes them: no leading slash ("providers/Microsoft.Management/
 * managementGroups/<mg>", "subscriptions/<id>"), which is also how the SDK wants them.
 */
export type AzureScope = { kind: "mg"; mg: string } | { kind: "sub"; sub: string };

export type PolicyArtifactKind =
  "azure.policy-definition" | "azure.policy-set-definition" | "azure.policy-assignment" | "azure.policy-exemption";

const SEGMENT: Record<PolicyArtifactKind, string> = {
  "azure.policy-definition": "policyDefinitions",
  "azure.policy-set-definition": "policySetDefinitions",
  "azure.policy-assignment": "policyAssignments",
  "azure.policy-exemption": "policyExemptions",
};

const KIND_BY_SEGMENT: Record<string, PolicyArtifactKind> = {
  policydefinitions: "azure.policy-definition",
  policysetdefinitions: "azure.policy-set-definition",
  policyassignments: "azure.policy-assignment",
  policyexemptions: "azure.policy-exemption",
};

export const MG_SCOPE_PREFIX = "providers/Microsoft.Management/managementGroups/";

export function parseScope(raw: string): AzureScope | undefined {
  const segs = raw.split("/").filter((s) => s.length > 0);
  const l = segs.map((s) => s.toLowerCase());
  if (segs.length === 4 && l[0] === "providers" && l[1] === "microsoft.management" && l[2] === "managementgroups")
    return { kind: "mg", mg: segs[3]! };
  if (segs.length === 2 && l[0] === "subscriptions") return { kind: "sub", sub: segs[1]! };
  return undefined;
}

/** Scopes compare case-insensitively in ARM; a leading slash carries no meaning. */
export function scopeKey(raw: string): string {
  return raw.replace(/^\/+/, "").replace(/\/+$/, "").toLowerCase();
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && scopeKey(a) === scopeKey(b);
}

export function armResourceId(scope: string, kind: PolicyArtifactKind, name: string): string {
  return `/${scope.replace(/^\/+/, "")}/providers/Microsoft.Authorization/${SEGMENT[kind]}/${name}`;
}

/** Splits "/{scope}/providers/Microsoft.Authorization/{type}/{name}". */
export function parseArmId(id: string): { scope: string; kind: PolicyArtifactKind; name: string } | undefined {
  const segs = id.split("/").filter((s) => s.length > 0);
  const n = segs.length;
  if (n < 4 || segs[n - 4]!.toLowerCase() !== "providers" || segs[n - 3]!.toLowerCase() !== "microsoft.authorization") return undefined;
  const kind = KIND_BY_SEGMENT[segs[n - 2]!.toLowerCase()];
  if (!kind) return undefined;
  const scope = segs.slice(0, n - 4).join("/");
  if (!parseScope(scope)) return undefined;
  return { scope, kind, name: segs[n - 1]! };
}
