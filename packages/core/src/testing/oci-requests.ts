import type { OciRequest } from "@parapet/cloud-sim/oci/authorize";
import { parseStatement } from "@parapet/cloud-sim/oci/statements";

/**
 * The request (minus its principal) that meets every condition of a compiled deny statement except
 * the exemptions (`request.principal.id`, `request.groups.id`): what a principal would send to be
 * caught by it. Tests then vary only the principal to see who the statement denies.
 */
export function ociRequestMatching(statement: string): Omit<OciRequest, "principal"> {
  const r = parseStatement(statement);
  if (!r.ok) throw new Error(`not a statement: ${r.reason}`);
  const st = r.statement;
  const req: Omit<OciRequest, "principal"> = {
    verb: "manage",
    resourceTypes: [st.resourceType ?? "all-resources"],
    ...(st.permissions?.[0] ? { permission: st.permissions[0] } : {}),
    target: {},
  };
  for (const m of (st.where ?? "").matchAll(/([A-Za-z][\w.-]*)\s*(!=|=)\s*('([^']*)'|\/([^/]*)\/)/g)) {
    const [, variable, op, , str, pattern] = m;
    const name = (variable as string).toLowerCase();
    if (name === "request.principal.id" || name === "request.groups.id") continue;
    const value = op === "!=" ? "ZZZ" : str !== undefined ? str : (pattern as string).replace(/\*/g, "ANY");
    if (name === "request.permission") req.permission = value;
    else if (name === "request.operation") req.operation = value;
    else if (name === "request.region") req.region = value;
    else (req.target as Record<string, string>)[variable as string] = value;
  }
  return req;
}
