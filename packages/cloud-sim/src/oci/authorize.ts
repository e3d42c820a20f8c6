import { parseStatement, type ParsedStatement, type StatementLocation } from "./statements.ts";

/**
 * OCI IAM deny evaluation, as far as the simulator needs it (the deny-policy guard on policy writes)
 * and as tests need it to check that compiled deny statements fire for the principals they name.
 *
 * Sources:
 * - Conditions: "If the variable is not applicable to the incoming request, the condition evaluates
 *   the request as false" (docs.oracle.com/iaas/Content/Identity/policysyntax/conditions.htm, "Variables
 *   Not Applicable to a Request Result in a Declined Request"). A deny statement whose condition is
 *   false does not apply, so a condition on a user-only variable never denies an instance principal.
 * - General variables: `request.groups.id` is "the OCIDs of the groups the requesting user is in"
 *   (policyreference_topic-General_Variables_for_All_Requests.htm): it applies to users only.
 * - Deny policies: members of the default domain's Administrators group "are always exempt from a deny
 *   policy"; `target.policy.type` is a set on the policy create, update and delete APIs, and `=` matches
 *   when the set holds the value (Identity/policysyntax/denypolicies.htm).
 * - Metaverb inversion: a deny on a verb blocks that verb and every higher one (same page).
 * - Matching ignores case; `/x*\/`, `/*x/`, `/*x*\/` are prefix, suffix and substring patterns (conditions.htm).
 */

type OciPrincipalType = "user" | "instance" | "resource";

export interface OciRequestPrincipal {
  id: string;
  type: OciPrincipalType;
  /** User groups (users only). */
  groups?: Array<{ id: string; name: string }>;
  /** Dynamic groups the instance or resource principal matches (instance/resource principals only). */
  dynamicGroups?: Array<{ id: string; name: string }>;
  /** A member of the default identity domain's Administrators group: exempt from every deny. */
  defaultDomainAdministrator?: boolean;
}

export interface OciRequest {
  principal: OciRequestPrincipal;
  /** The verb the operation needs (POLICY_CREATE needs manage). */
  verb: "inspect" | "read" | "use" | "manage";
  /** The resource type and the families containing it, e.g. ["objects", "object-family"]. */
  resourceTypes: string[];
  permission?: string;
  operation?: string;
  /** Three-letter region key, e.g. FRA. */
  region?: string;
  /** Target variables, e.g. `target.policy.type` → ["deny"], `target.tag-namespace.name` → "guarded". */
  target?: Record<string, string | string[]>;
}

export interface OciDenyDecision {
  denied: boolean;
  /** The statement that denied the request. */
  statement?: string;
  /** True when a statement would have denied it but the caller is a default-domain Administrator. */
  adminExempt?: boolean;
}

const VERB_LEVEL = { inspect: 0, read: 1, use: 2, manage: 3 } as const;

/** The request variables OCI defines and whether they apply to this request (undefined = not applicable). */
function variable(req: OciRequest, name: string): string | string[] | undefined {
  const p = req.principal;
  switch (name.toLowerCase()) {
    case "request.principal.id":
      return p.id;
    case "request.principal.type":
      return p.type;
    case "request.user.id":
      return p.type === "user" ? p.id : undefined;
    case "request.groups.id":
      return p.type === "user" ? (p.groups ?? []).map((g) => g.id) : undefined;
    case "request.permission":
      return req.permission;
    case "request.operation":
      return req.operation;
    case "request.region":
      return req.region;
    default: {
      const lower = Object.fromEntries(Object.entries(req.target ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      return lower[name.toLowerCase()];
    }
  }
}

function matchesValue(actual: string, expected: string): boolean {
  const a = actual.toLowerCase();
  if (expected.startsWith("/") && expected.endsWith("/") && expected.length >= 2) {
    const pat = expected.slice(1, -1).toLowerCase();
    const starts = pat.startsWith("*");
    const ends = pat.endsWith("*");
    const core = pat.replace(/^\*/, "").replace(/\*$/, "");
    if (starts && ends) return a.includes(core);
    if (ends) return a.startsWith(core);
    if (starts) return a.endsWith(core);
    return a === core;
  }
  return a === expected.replace(/^'(.*)'$/, "$1").toLowerCase();
}

/** Splits `a, b, {c, d}` on top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = "";
  for (const ch of s) {
    if (ch === "'") quote = !quote;
    if (!quote && ch === "{") depth++;
    if (!quote && ch === "}") depth--;
    if (!quote && depth === 0 && ch === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Evaluates a `where` clause. Unknown functions and inapplicable variables evaluate to false, as OCI does. */
export function evaluateCondition(where: string, req: OciRequest): boolean {
  const w = where.trim();
  const group = /^(all|any)\s*\{([\s\S]*)\}$/i.exec(w);
  if (group) {
    const parts = splitTop(group[2] as string).map((c) => evaluateCondition(c, req));
    return (group[1] as string).toLowerCase() === "all" ? parts.every(Boolean) : parts.some(Boolean);
  }
  const m = /^([A-Za-z][\w.-]*)\s*(!=|=)\s*('[^']*'|\/[^/]*\/)$/.exec(w);
  if (!m) return false;
  const value = variable(req, m[1] as string);
  if (value === undefined) return false;
  const expected = m[3] as string;
  const values = Array.isArray(value) ? value : [value];
  const any = values.some((v) => matchesValue(v, expected));
  // A set variable (request.groups.id, target.policy.type): `=` holds when the set contains the value,
  // `!=` when it does not.
  return m[2] === "=" ? any : !any;
}

function subjectMatches(st: ParsedStatement, p: OciRequestPrincipal): boolean {
  return st.subjects.some((s) => {
    const lower = s.toLowerCase();
    if (lower === "any-user" || lower === "any-group") return true;
    const m = /^(group|dynamic-group)( id)? (.+)$/i.exec(s);
    if (!m) return false;
    const pool =
      (m[1] as string).toLowerCase() === "group"
        ? p.type === "user"
          ? p.groups
          : undefined
        : p.type === "user"
          ? undefined
          : p.dynamicGroups;
    const name = (m[3] as string)
      .replace(/^'(.*)'$/, "$1")
      .replace(/^Default\//i, "")
      .toLowerCase();
    return (pool ?? []).some((g) => (m[2] ? g.id.toLowerCase() === name : g.name.toLowerCase() === name));
  });
}

function actionMatches(st: ParsedStatement, req: OciRequest): boolean {
  if (st.permissions) return req.permission !== undefined && st.permissions.includes(req.permission);
  const rt = (st.resourceType ?? "").toLowerCase();
  if (rt !== "all-resources" && !req.resourceTypes.map((r) => r.toLowerCase()).includes(rt)) return false;
  // Deny on a verb blocks that verb and every higher one.
  return VERB_LEVEL[req.verb] >= VERB_LEVEL[(st.verb ?? "manage") as keyof typeof VERB_LEVEL];
}

/**
 * Whether any deny statement applies to the request. `locationCovers` decides whether a statement's
 * location includes the request's compartment (default: every location does).
 */
export function evaluateOciDeny(
  statements: readonly string[],
  req: OciRequest,
  locationCovers: (loc: StatementLocation) => boolean = () => true,
): OciDenyDecision {
  for (const text of statements) {
    const r = parseStatement(text);
    if (!r.ok || r.statement.effect !== "deny") continue;
    const st = r.statement;
    if (!subjectMatches(st, req.principal) || !actionMatches(st, req)) continue;
    if (st.location && !locationCovers(st.location)) continue;
    if (st.where !== undefined && !evaluateCondition(st.where, req)) continue;
    if (req.principal.defaultDomainAdministrator) return { denied: false, statement: text, adminExempt: true };
    return { denied: true, statement: text };
  }
  return { denied: false };
}
