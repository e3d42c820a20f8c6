/**
 * OCI IAM deny-statement evaluation for impact replay: a second, independent implementation of the
 * policy language beside the simulator's (cloud-sim/src/oci/authorize.ts; core may not import it),
 * and a test holds both to identical verdicts over every compiled catalog statement
 * (oci-policy.test.ts).
 *
 * Unlike the simulator, it works on what an audit log shows, so every test is three-valued: true,
 * false, or unknown with the reason (a group membership the log does not carry, an operation whose
 * permission is not known, a variable that was not logged). Unknown only survives where it could
 * change the verdict: `all {false, unknown}` is false, `any {true, unknown}` is true.
 *
 * Semantics, with their sources:
 * - "If the variable is not applicable to the incoming request, the condition evaluates the request
 *   as false" (Conditions, "Variables Not Applicable to a Request Result in a Declined Request" —
 *   https://docs.oracle.com/en-us/iaas/Content/Identity/policysyntax/conditions.htm). A deny whose
 *   condition is false does not apply.
 * - `request.groups.id` is "the OCIDs of the groups the requesting user is in"; `request.user.id`
 *   likewise only for users (General Variables for All Requests —
 *   https://docs.oracle.com/iaas/Content/Identity/policyreference/policyreference_topic-General_Variables_for_All_Requests.htm).
 * - Subjects: `group` names users' groups, `dynamic-group` instance and resource principals; one
 *   principal type per statement (https://docs.oracle.com/iaas/Content/Identity/policysyntax/subject.htm).
 * - Deny policies: a deny on a verb covers that verb and every higher one (metaverb inversion), and
 *   members of the default domain's Administrators group are always exempt
 *   (https://docs.oracle.com/en-us/iaas/Content/Identity/policysyntax/denypolicies.htm).
 * - Matching ignores case; `/x*\/`, `/*x/`, `/*x*\/` are prefix, suffix and substring patterns (conditions.htm).
 */
import type { TOciVerb } from "@parapet/providers/oci/types";

/** Why a test could not be decided; `reason` is the stable code the UI groups by. */
interface TOciUnknown {
  unknown: true;
  reason: "group-membership-unknown" | "unknown-permission" | "unknown-principal" | "missing-context";
  detail: string;
}
type TTri = boolean | TOciUnknown;
const isUnknown = (t: TTri): t is TOciUnknown => typeof t === "object";
const unknown = (reason: TOciUnknown["reason"], detail: string): TOciUnknown => ({ unknown: true, reason, detail });

function and(parts: readonly TTri[]): TTri {
  if (parts.some((p) => p === false)) return false;
  return parts.find(isUnknown) ?? true;
}
function or(parts: readonly TTri[]): TTri {
  if (parts.some((p) => p === true)) return true;
  return parts.find(isUnknown) ?? false;
}

export interface TOciGroupRef {
  id: string;
  name: string;
}

export interface TOciPolicyPrincipal {
  id: string;
  /** user | instance | resource (or another `request.principal.type`), `unknown` when the log does not say. */
  type: string;
  /** The user's groups; undefined when not known. */
  groups?: readonly TOciGroupRef[];
  /** The dynamic groups an instance or resource principal matches; undefined when not known. */
  dynamicGroups?: readonly TOciGroupRef[];
}

/** The value of a request variable, or that it does not apply to this request, or that the log did not say. */
export type TOciVariable = { value: string | readonly string[] } | "not-applicable" | TOciUnknown;

export interface TOciPolicyRequest {
  principal: TOciPolicyPrincipal;
  /** The permission checked; undefined when the operation's permission is not known. */
  permission?: string;
  /** Verb and resource types (individual type, then its families) of the permission, when known. */
  verb?: TOciVerb;
  resourceTypes?: readonly string[];
  /** Any other variable (`request.operation`, `request.region`, `target.*`). */
  variable(name: string): TOciVariable;
}

export interface TOciStatement {
  text: string;
  subjects: Array<{ kind: "any" } | { kind: "group" | "dynamic-group"; byId: boolean; name: string }>;
  verb?: TOciVerb;
  resourceType?: string;
  permissions?: string[];
  where?: string;
}

const STATEMENT_RE =
  /^deny\s+(.+?)\s+to\s+(?:(inspect|read|use|manage)\s+([a-z][a-z0-9-]*)|\{([^}]*)\})\s+in\s+(?:tenancy|compartment\s+id\s+\S+|compartment\s+\S+)(?:\s+where\s+([\s\S]+))?$/i;

/** Parses a deny statement as Parapet's compilers render it; anything else is refused with the text. */
export function parseOciDenyStatement(text: string): TOciStatement {
  const m = STATEMENT_RE.exec(text.trim());
  if (!m) throw new Error(`not an OCI deny statement: ${text.slice(0, 200)}`);
  const subjectText = (m[1] as string).trim();
  const subjects: TOciStatement["subjects"] = [];
  if (/^any-(user|group)$/i.test(subjectText)) subjects.push({ kind: "any" });
  else {
    const s = /^(group|dynamic-group)\s+(id\s+)?(.+)$/i.exec(subjectText);
    if (!s) throw new Error(`unsupported subject "${subjectText}" in: ${text.slice(0, 200)}`);
    for (const name of (s[3] as string).split(",")) {
      subjects.push({
        kind: (s[1] as string).toLowerCase() as "group" | "dynamic-group",
        byId: Boolean(s[2]),
        name: name
          .trim()
          .replace(/^'(.*)'$/, "$1")
          .replace(/^Default\//i, ""),
      });
    }
  }
  return {
    text,
    subjects,
    ...(m[2] ? { verb: m[2].toLowerCase() as TOciVerb, resourceType: (m[3] as string).toLowerCase() } : {}),
    ...(m[4] !== undefined ? { permissions: m[4].split(",").map((p) => p.trim().toUpperCase()) } : {}),
    ...(m[5] !== undefined ? { where: m[5].trim() } : {}),
  };
}

const LEVEL: Record<TOciVerb, number> = { inspect: 0, read: 1, use: 2, manage: 3 };

function isUser(p: TOciPolicyPrincipal): TTri {
  if (p.type === "unknown") return unknown("unknown-principal", `the principal type of ${p.id} is not logged`);
  return p.type === "user";
}

function subjectMatches(st: TOciStatement, p: TOciPolicyPrincipal): TTri {
  return or(
    st.subjects.map((s): TTri => {
      if (s.kind === "any") return true;
      const user = isUser(p);
      if (isUnknown(user)) return user;
      if (s.kind === "group" && !user) return false;
      if (s.kind === "dynamic-group" && user) return false;
      const pool = s.kind === "group" ? p.groups : p.dynamicGroups;
      if (!pool) {
        return unknown(
          "group-membership-unknown",
          s.kind === "group" ? `groups of ${p.id}` : `dynamic groups of ${p.id} (matching rules are not evaluated)`,
        );
      }
      const want = s.name.toLowerCase();
      return pool.some((g) => (s.byId ? g.id.toLowerCase() === want : g.name.replace(/^Default\//i, "").toLowerCase() === want));
    }),
  );
}

function actionMatches(st: TOciStatement, req: TOciPolicyRequest): TTri {
  if (st.permissions) {
    if (!req.permission) return unknown("unknown-permission", "the permission this operation checks is not known");
    return st.permissions.includes(req.permission.toUpperCase());
  }
  if (!req.verb || !req.resourceTypes) return unknown("unknown-permission", "the permission this operation checks is not known");
  const rt = st.resourceType ?? "all-resources";
  if (rt !== "all-resources" && !req.resourceTypes.some((r) => r.toLowerCase() === rt)) return false;
  return LEVEL[req.verb] >= LEVEL[st.verb ?? "manage"];
}

function lookup(req: TOciPolicyRequest, name: string): TOciVariable {
  const p = req.principal;
  switch (name.toLowerCase()) {
    case "request.principal.id":
      return { value: p.id };
    case "request.principal.type":
      return p.type === "unknown" ? unknown("unknown-principal", `the principal type of ${p.id} is not logged`) : { value: p.type };
    case "request.user.id": {
      const u = isUser(p);
      return isUnknown(u) ? u : u ? { value: p.id } : "not-applicable";
    }
    case "request.groups.id": {
      const u = isUser(p);
      if (isUnknown(u)) return u;
      if (!u) return "not-applicable";
      return p.groups ? { value: p.groups.map((g) => g.id) } : unknown("group-membership-unknown", `groups of ${p.id}`);
    }
    case "request.permission":
      return req.permission
        ? { value: req.permission }
        : unknown("unknown-permission", "the permission this operation checks is not known");
    default:
      return req.variable(name.toLowerCase());
  }
}

function valueMatches(actual: string, expected: string): boolean {
  const a = actual.toLowerCase();
  const pattern = /^\/(.*)\/$/.exec(expected);
  if (!pattern) return a === expected.replace(/^'(.*)'$/, "$1").toLowerCase();
  const pat = (pattern[1] as string).toLowerCase();
  const lead = pat.startsWith("*");
  const trail = pat.endsWith("*") && pat.length > 1;
  const core = pat.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (lead && trail) return a.includes(core);
  if (lead) return a.endsWith(core);
  if (trail) return a.startsWith(core);
  return a === core;
}

/** Splits on commas outside quotes and braces. */
function topLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === "{") depth++;
    else if (!quoted && c === "}") depth--;
    else if (!quoted && depth === 0 && c === ",") {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last) out.push(last);
  return out;
}

/** A `where` clause; an unsupported form is false, as OCI does not apply what it cannot evaluate. */
function evaluateOciCondition(where: string, req: TOciPolicyRequest): TTri {
  const w = where.trim();
  const block = /^(all|any)\s*\{([\s\S]*)\}$/i.exec(w);
  if (block) {
    const parts = topLevel(block[2] as string).map((c) => evaluateOciCondition(c, req));
    return (block[1] as string).toLowerCase() === "all" ? and(parts) : or(parts);
  }
  const m = /^([A-Za-z][\w.-]*)\s*(!=|=)\s*('[^']*'|\/[^/]*\/)$/.exec(w);
  if (!m) return false;
  const v = lookup(req, m[1] as string);
  if (v === "not-applicable") return false;
  if ("unknown" in v) return v;
  const values = typeof v.value === "string" ? [v.value] : v.value;
  // Set variables (request.groups.id): `=` holds when the set contains the value, `!=` when it does not.
  const contains = values.some((x) => valueMatches(x, m[3] as string));
  return m[2] === "=" ? contains : !contains;
}

/** Whether the principal is in the default domain's Administrators group (always exempt from deny). */
function isAdministrator(p: TOciPolicyPrincipal): TTri {
  const user = isUser(p);
  if (isUnknown(user) || !user) return user;
  if (!p.groups) return unknown("group-membership-unknown", `whether ${p.id} is in the Administrators group`);
  return p.groups.some((g) => /^(Default\/)?Administrators$/i.test(g.name));
}

/** Whether one statement applies to the request (before the Administrators exemption). */
function ociStatementApplies(st: TOciStatement, req: TOciPolicyRequest): TTri {
  const subject = subjectMatches(st, req.principal);
  if (subject === false) return false;
  const action = actionMatches(st, req);
  if (action === false) return false;
  return and([subject, action, st.where === undefined ? true : evaluateOciCondition(st.where, req)]);
}

export type TOciDenyResult =
  | { verdict: "denied"; by: TOciStatement }
  | { verdict: "allowed"; adminExempt?: TOciStatement }
  | { verdict: "unknown"; why: TOciUnknown; statement: TOciStatement };

/** The deny statements' verdict: a certain denial wins, then an undecided statement, else allowed. */
export function evaluateOciDenyStatements(statements: readonly TOciStatement[], req: TOciPolicyRequest): TOciDenyResult {
  let undecided: { why: TOciUnknown; statement: TOciStatement } | undefined;
  let exempt: TOciStatement | undefined;
  for (const st of statements) {
    const applies = ociStatementApplies(st, req);
    if (applies === false) continue;
    const admin = isAdministrator(req.principal);
    if (admin === true) {
      exempt ??= st;
      continue;
    }
    const verdict = and([applies, admin === false ? true : admin]);
    if (verdict === true) return { verdict: "denied", by: st };
    if (isUnknown(verdict)) undecided ??= { why: verdict, statement: st };
  }
  if (undecided) return { verdict: "unknown", ...undecided };
  return exempt ? { verdict: "allowed", adminExempt: exempt } : { verdict: "allowed" };
}
