/**
 * CEL of GCP custom organization-policy constraints, evaluated against a resource. One implementation
 * shared by the catalog's `gcp-cel` scenarios (catalog/scenarios.ts) and impact replay (impact/gcp.ts),
 * so a guardrail's proof and its impact cannot disagree about what a condition means.
 */
import { celFunc, celList, celMap, CelScalar, isCelError, listType, run, type CelInput } from "@bufbuild/cel";

/** Google's `RoleNameMatches(role, [roles])` helper for IAM allow-policy constraints. */
const roleNameMatches = celFunc("RoleNameMatches", [CelScalar.STRING, listType(CelScalar.STRING)], CelScalar.BOOL, (role, roles) => {
  for (const r of roles) if (r === role) return true;
  return false;
});

function toCel(v: unknown): CelInput {
  if (Array.isArray(v)) return celList(v.map(toCel));
  if (v && typeof v === "object") return celMap(new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)])));
  return v as CelInput;
}

/** Evaluates a custom constraint's CEL against a resource: true means the condition matches. Throws on a CEL error. */
export function evaluateGcpCondition(condition: string, resource: Record<string, unknown>): boolean {
  const out = run(condition, { resource: toCel(resource) }, { funcs: [roleNameMatches] });
  if (isCelError(out)) throw new Error(`CEL error: ${out.message}`);
  if (typeof out !== "boolean") throw new Error(`CEL condition returned ${typeof out}, not bool`);
  return out;
}
