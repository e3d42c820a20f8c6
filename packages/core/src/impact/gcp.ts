/**
 * GCP impact: would a guardrail's compiled IAM deny rules and organization policies have refused a call
 * recorded in Cloud Audit Logs? Mirrors catalog/compilers/gcp.ts and the artifacts the controls emit.
 *
 * Deny rules (IAM v2, https://cloud.google.com/iam/docs/deny-overview): a rule refuses a permission
 * when the caller is one of `deniedPrincipals`, none of `exceptionPrincipals`, the permission is one of
 * `deniedPermissions` and none of `exceptionPermissions`, and `denialCondition` holds.
 * Organization policies apply to the requests they govern (creations, IAM grants, moves), judged from
 * the request the entry logs; what the entry does not carry is `unjudgeable`, never guessed.
 *
 * Facts (`lookupPrincipals`) for GCP name, in `groups`, the principal-set identifiers the principal
 * belongs to (`principalSet://goog/group/…`, `principalSet://goog/cloudIdentityCustomerId/…`,
 * `principalSet://cloudresourcemanager.googleapis.com/…/type/ServiceAccount`): the forms deny rules
 * match, so membership is a plain lookup.
 */
import type { AuditEvent, AuditPrincipal, PrincipalFacts } from "@parapet/providers/contract";
import type { TGcpDenyRule, TGcpPolicyRule } from "@parapet/providers/gcp/types";
import type { TCompileContext, TGcpFragment } from "../catalog/types.ts";
import type { TImpactEvaluator, TImpactVerdict, TPreparedImpact } from "./types.ts";
import { evaluateGcpCondition } from "./gcp-cel.ts";

/** Three-valued: a test the entry cannot decide carries its reason. */
type Tri = true | false | { reason: string; detail: string };
const isUnknown = (t: Tri): t is { reason: string; detail: string } => typeof t === "object";

function and(...xs: Tri[]): Tri {
  if (xs.some((x) => x === false)) return false;
  return xs.find(isUnknown) ?? true;
}
const not = (x: Tri): Tri => (isUnknown(x) ? x : !x);
function or(xs: Tri[]): Tri {
  if (xs.some((x) => x === true)) return true;
  return xs.find(isUnknown) ?? false;
}

// Context keys the GCP reader (providers/gcp/audit-records.ts) fills.
const K_PERMISSIONS = "protoPayload.authorizationInfo.permission";
const K_LOCATIONS = "protoPayload.resourceLocation.currentLocations";
const K_METHOD = "protoPayload.methodName";
const K_PROJECT = "resource.labels.project_id";
/**
 * Tags bound to the resource, as namespaced tag values `ORG_ID/KEY/VALUE`
 * (https://cloud.google.com/resource-manager/docs/tags/tags-overview). Cloud Audit Logs never records
 * them; a caller that knows them (a scenario, a future tag lookup) sets this key.
 */
export const GCP_RESOURCE_TAGS_KEY = "resource.tags";

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** v1 permission `service.resource.verb` as the audit log writes it. */
const V1_PERMISSION = /^([a-z][a-z0-9]*)\.([A-Za-z0-9]+)\.([A-Za-z0-9]+)$/;

/**
 * The service FQDN of a v1 permission prefix. Deny policies use `SERVICE_FQDN/RESOURCE.ACTION`
 * ("Permissions in deny policies", https://cloud.google.com/iam/docs/deny-permissions-support), and the
 * FQDN is the prefix plus `.googleapis.com` except where the service's API name differs from its
 * permission prefix (Resource Manager: `resourcemanager.projects.delete` is
 * `cloudresourcemanager.googleapis.com/projects.delete`).
 */
const FQDN_ALIASES: Record<string, string> = { resourcemanager: "cloudresourcemanager.googleapis.com" };
const fqdnOf = (prefix: string): string => FQDN_ALIASES[prefix] ?? `${prefix}.googleapis.com`;

/** Whether a deny-policy permission (`FQDN/res.verb`, with the `*` forms IAM accepts) covers a v1 permission. */
export function gcpPermissionMatches(v2: string, v1: string): boolean {
  const m = V1_PERMISSION.exec(v1);
  const slash = v2.indexOf("/");
  if (!m || slash < 0) return false;
  if (v2.slice(0, slash) !== fqdnOf(m[1]!)) return false;
  const rest = v2.slice(slash + 1);
  if (rest === "*") return true;
  const [res, verb] = rest.split(".");
  return (res === "*" || res === m[2]) && (verb === "*" || verb === m[3]);
}

const SA_EMAIL = /^serviceAccount:(.+)$/;

/** Whether the caller is the principal (or in the principal set) a deny rule names. */
function isMember(p: AuditPrincipal, id: string, event: AuditEvent, facts: PrincipalFacts | undefined, orgId: string): Tri {
  const email = (SA_EMAIL.exec(p.id)?.[1] ?? /^user:(.+)$/.exec(p.id)?.[1])?.toLowerCase();
  const isSa = SA_EMAIL.test(p.id);
  const known = facts?.found ? new Set(facts.groups ?? []) : undefined;
  if (id === "principalSet://goog/public:all") return true;
  // principal://iam.googleapis.com/projects/-/serviceAccounts/EMAIL (any project segment names the same account).
  const sa = /^principal:\/\/iam\.googleapis\.com\/projects\/[^/]+\/serviceAccounts\/(.+)$/.exec(id);
  if (sa) return isSa && email === sa[1]!.toLowerCase();
  const subject = /^principal:\/\/goog\/subject\/(.+)$/.exec(id);
  if (subject) return !isSa && email === subject[1]!.toLowerCase();
  if (id.startsWith("principal://")) return p.id === id; // workforce / workload identities, logged as such
  if (known?.has(id)) return true;
  if (id.startsWith("principalSet://goog/group/")) {
    return known ? false : { reason: "group-membership-unknown", detail: `${p.id} in ${id}` };
  }
  if (id.startsWith("principalSet://goog/cloudIdentityCustomerId/")) {
    // A customer-id set holds the customer's users and groups, not service accounts (DenyRule reference).
    if (isSa) return false;
    return known ? false : { reason: "customer-membership-unknown", detail: `${p.id} in ${id}` };
  }
  const saSet =
    /^principalSet:\/\/cloudresourcemanager\.googleapis\.com\/(organizations|folders|projects)\/([^/]+)\/type\/ServiceAccount$/.exec(id);
  if (saSet) {
    if (!isSa) return false;
    if (saSet[1] === "projects" && p.account) return p.account === saSet[2];
    // A user-managed account of the very project the entry was logged in, when replaying this
    // organization's logs, belongs to the organization's service accounts.
    if (saSet[1] === "organizations" && saSet[2] === orgId && p.account && p.account === list(event.context[K_PROJECT])[0]) return true;
    return known ? false : { reason: "principal-set-membership-unknown", detail: `${p.id} in ${id}` };
  }
  return { reason: "unsupported-principal-identifier", detail: id };
}

/** `resource.matchTag('K', 'V')` joined by `&&` / `||`: the denial conditions the controls compile. */
function denialCondition(expr: string, event: AuditEvent): Tri {
  const ors = expr.split("||").map((a) =>
    a.split("&&").map((t) =>
      t
        .trim()
        .replace(/^\((.*)\)$/, "$1")
        .trim(),
    ),
  );
  const tags = event.context[GCP_RESOURCE_TAGS_KEY];
  const terms = ors.map((conj) =>
    and(
      ...conj.map((t): Tri => {
        const m = /^resource\.matchTag\('([^']+)',\s*'([^']+)'\)$/.exec(t);
        if (!m) return { reason: "unsupported-condition", detail: t };
        if (tags === undefined) return { reason: "missing-context", detail: `resource tags (${t}) are not in Cloud Audit Logs` };
        return list(tags).includes(`${m[1]}/${m[2]}`);
      }),
    ),
  );
  return or(terms);
}

/** The permissions the call checked: every authorizationInfo permission, else the action. */
function permissionsOf(e: AuditEvent): string[] {
  const ps = list(e.context[K_PERMISSIONS]);
  return ps.length > 0 ? ps : [e.action];
}

function denyRuleVerdict(rule: TGcpDenyRule, event: AuditEvent, facts: PrincipalFacts | undefined, orgId: string): Tri {
  const perms = permissionsOf(event);
  const covered = perms.some(
    (p) =>
      rule.deniedPermissions.some((d) => gcpPermissionMatches(d, p)) &&
      !(rule.exceptionPermissions ?? []).some((x) => gcpPermissionMatches(x, p)),
  );
  if (!covered) {
    // A method name (no permission logged) cannot be compared with the rule's permissions.
    return perms.some((p) => V1_PERMISSION.test(p))
      ? false
      : { reason: "unsupported-action", detail: `no IAM permission logged (${event.action})` };
  }
  const denied = or(rule.deniedPrincipals.map((id) => isMember(event.principal, id, event, facts, orgId)));
  const excepted = or((rule.exceptionPrincipals ?? []).map((id) => isMember(event.principal, id, event, facts, orgId)));
  const cond: Tri = rule.denialCondition ? denialCondition(rule.denialCondition.expression, event) : true;
  return and(denied, not(excepted), cond);
}

// ---------- organization policies ----------

const isCreate = (e: AuditEvent): boolean =>
  permissionsOf(e).some((p) => /\.create$/.test(p)) ||
  /\.(insert|create)$|\.Create[A-Z]\w*$/.test(list(e.context[K_METHOD])[0] ?? e.action);
const isSetIamPolicy = (e: AuditEvent): boolean =>
  permissionsOf(e).some((p) => /\.setIamPolicy$/.test(p)) || /SetIamPolicy$/i.test(e.action);

/** The request body proper: Cloud SQL and others log it under `body`, the rest at the top level. */
function body(e: AuditEvent): Record<string, unknown> | undefined {
  if (!e.request) return undefined;
  const b = e.request.body;
  const out = b && typeof b === "object" && !Array.isArray(b) ? (b as Record<string, unknown>) : e.request;
  const { "@type": _t, ...rest } = out;
  return rest;
}
const noBody = (e: AuditEvent): Tri => ({ reason: "no-request-body", detail: `${e.action}: the entry logs no request` });

function policyMembers(e: AuditEvent): string[] | undefined {
  const policy = body(e)?.policy as { bindings?: { members?: string[] }[] } | undefined;
  if (!policy) return undefined;
  return (policy.bindings ?? []).flatMap((b) => b.members ?? []);
}
const PUBLIC_MEMBERS = new Set(["allUsers", "allAuthenticatedUsers"]);

/**
 * Location value groups (https://cloud.google.com/resource-manager/docs/organization-policy/defining-locations):
 * `in:REGION-locations` is the region and its zones; `in:us-locations` the `us` multi-region and the
 * `us-*` regions; `in:eu-locations` the `eu` multi-region and the regions in European Union member
 * states. Other groups are not modelled: membership in them is unjudgeable.
 */
const EU_REGIONS = new Set([
  "europe-central2", // Warsaw
  "europe-north1", // Hamina, Finland
  "europe-southwest1", // Madrid
  "europe-west1", // St. Ghislain, Belgium
  "europe-west3", // Frankfurt
  "europe-west4", // Eemshaven, Netherlands
  "europe-west8", // Milan
  "europe-west9", // Paris
  "europe-west10", // Berlin
  "europe-west12", // Turin
]);
const regionOf = (loc: string): string => (/^[a-z]+-[a-z]+\d+-[a-z]$/.test(loc) ? loc.slice(0, -2) : loc);
function inLocationValue(value: string, loc: string): Tri {
  const l = loc.toLowerCase();
  const g = /^in:(.+)-locations$/.exec(value);
  if (!g) return l === value.toLowerCase();
  const group = g[1]!;
  if (group === "eu") return l === "eu" || EU_REGIONS.has(regionOf(l));
  if (group === "us") return l === "us" || /^us-[a-z]+\d+(-[a-z])?$/.test(l);
  if (/^[a-z]+-[a-z]+\d+$/.test(group)) return regionOf(l) === group;
  return { reason: "unknown-value-group", detail: value };
}

function listAllows(rule: TGcpPolicyRule, value: (v: string) => Tri): Tri {
  if (rule.allowAll) return true;
  if (rule.denyAll) return false;
  const allowed = rule.values?.allowedValues;
  const denied = rule.values?.deniedValues ?? [];
  const inDenied = or(denied.map(value));
  const inAllowed = allowed ? or(allowed.map(value)) : true;
  return and(not(inDenied), inAllowed);
}

type TPolicyJudge = (e: AuditEvent, rule: TGcpPolicyRule) => Tri; // true = the rule refuses it

/** Constraints the catalog compiles whose effect a logged request can show. */
/** Constraints whose effect on a request this evaluator models (posture leaves the others out, named). */
export function gcpConstraintModelled(constraint: string): boolean {
  return constraint.startsWith("custom.") || Object.hasOwn(ORG_POLICY_JUDGES, constraint);
}

const ORG_POLICY_JUDGES: Record<string, TPolicyJudge> = {
  "gcp.resourceLocations": (e, rule) => {
    if (!isCreate(e)) return false; // only new resources are restricted
    const locs = list(e.context[K_LOCATIONS]);
    if (locs.length === 0) return { reason: "missing-context", detail: `${e.action}: the entry logs no resource location` };
    return or(locs.map((l) => not(listAllows(rule, (v) => inLocationValue(v, l)))));
  },
  // Public access prevention refuses IAM grants and ACLs to allUsers / allAuthenticatedUsers on buckets
  // and objects (https://cloud.google.com/storage/docs/public-access-prevention).
  "storage.publicAccessPrevention": (e) => {
    if (!permissionsOf(e).some((p) => /^storage\.(buckets|objects)\.(setIamPolicy|update|create)$/.test(p))) return false;
    if (!isSetIamPolicy(e)) {
      const acl = body(e)?.acl as { entity?: string }[] | undefined;
      if (!e.request) return noBody(e);
      return (acl ?? []).some((a) => a.entity === "allUsers" || a.entity === "allAuthenticatedUsers");
    }
    const members = policyMembers(e);
    return members ? members.some((m) => PUBLIC_MEMBERS.has(m)) : noBody(e);
  },
  // sql.restrictPublicIp: "Restrict Public IP access on Cloud SQL instances" — refuses ipv4Enabled.
  "sql.restrictPublicIp": (e) => {
    if (!permissionsOf(e).some((p) => p === "cloudsql.instances.create" || p === "cloudsql.instances.update")) return false;
    const b = body(e);
    if (!b) return noBody(e);
    const v = (b.settings as { ipConfiguration?: { ipv4Enabled?: unknown } } | undefined)?.ipConfiguration?.ipv4Enabled;
    return v === undefined ? { reason: "missing-context", detail: "settings.ipConfiguration.ipv4Enabled is not logged" } : v === true;
  },
  // compute.vmExternalIpAccess: instances may not have external (access-config) IPs outside the allowed list.
  "compute.vmExternalIpAccess": (e, rule) => {
    const perms = permissionsOf(e);
    if (perms.includes("compute.instances.addAccessConfig")) return not(listAllows(rule, (v) => v === e.resource));
    if (!perms.includes("compute.instances.create")) return false;
    const b = body(e);
    if (!b) return noBody(e);
    const nics = (b.networkInterfaces as { accessConfigs?: unknown[] }[] | undefined) ?? [];
    const external = nics.some((n) => (n.accessConfigs ?? []).length > 0);
    return external ? not(listAllows(rule, () => ({ reason: "missing-context", detail: "instance name in the allowed list" }))) : false;
  },
  "resourcemanager.allowedExportDestinations": (e, rule) => {
    if (!permissionsOf(e).includes("resourcemanager.projects.move") && !/MoveProject$/.test(e.action)) return false;
    const dest = body(e)?.destinationParent;
    if (typeof dest !== "string") return e.request ? { reason: "missing-context", detail: "destinationParent" } : noBody(e);
    return not(
      listAllows(rule, (v) => {
        const under = /^under:(organizations\/\d+)$/.exec(v);
        if (!under) return dest === v;
        if (dest === under[1]) return true;
        return dest.startsWith("organizations/") ? false : { reason: "missing-context", detail: `whether ${dest} is under ${under[1]}` };
      }),
    );
  },
  // Domain-restricted sharing refuses allUsers / allAuthenticatedUsers unless their principal set is
  // allowed; other members need their Cloud Identity customer, which the entry does not name
  // (https://cloud.google.com/resource-manager/docs/organization-policy/restricting-domains).
  "iam.allowedPolicyMemberDomains": (e) => {
    if (!isSetIamPolicy(e)) return false;
    const members = policyMembers(e);
    if (!members) return noBody(e);
    if (members.some((m) => PUBLIC_MEMBERS.has(m))) return true;
    return members.length === 0 ? false : { reason: "member-customer-unknown", detail: members.slice(0, 3).join(", ") };
  },
  // gcp.restrictNonCmekServices: resources of a listed service must be created with a CMEK key.
  "gcp.restrictNonCmekServices": (e, rule) => {
    if (!isCreate(e)) return false;
    const service = list(e.context["protoPayload.serviceName"])[0];
    if (!service || !(rule.values?.deniedValues ?? []).includes(service)) return false;
    if (!permissionsOf(e).includes("storage.buckets.create"))
      return { reason: "missing-context", detail: `${service}: the CMEK key field` };
    const b = body(e);
    if (!b) return noBody(e);
    return !(b.encryption as { defaultKmsKeyName?: string } | undefined)?.defaultKmsKeyName;
  },
};

/** Resource types of custom constraints the catalog defines, and the logged calls that create/update them. */
function customTarget(
  resourceType: string,
  e: AuditEvent,
): { method: "CREATE" | "UPDATE"; resource?: Record<string, unknown> } | undefined {
  const perms = permissionsOf(e);
  if (resourceType === "storage.googleapis.com/Bucket") {
    const method = perms.includes("storage.buckets.create") ? "CREATE" : perms.includes("storage.buckets.update") ? "UPDATE" : undefined;
    const b = body(e);
    return method ? { method, ...(b ? { resource: b } : {}) } : undefined;
  }
  if (resourceType === "iam.googleapis.com/AllowPolicy") {
    if (!isSetIamPolicy(e)) return undefined;
    const policy = body(e)?.policy;
    return { method: "UPDATE", ...(policy && typeof policy === "object" ? { resource: policy as Record<string, unknown> } : {}) };
  }
  return undefined;
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

const NEEDS_FACTS = /^principalSet:\/\/(goog\/group\/|goog\/cloudIdentityCustomerId\/|cloudresourcemanager\.googleapis\.com\/)/;

function prepareGcp(fragment: TGcpFragment, ctx: TCompileContext<"gcp">): TPreparedImpact {
  const orgId = ctx.facts.organizationId;
  const rules = fragment.denyRules.map((r, i) => ({ by: `deny rule ${i + 1}: ${r.description}`, rule: r.denyRule }));
  const constraintsById = new Map(fragment.customConstraints.map((c) => [c.name.split("/").pop()!, c]));
  const policies = fragment.orgPolicies.map((p) => ({ by: `org policy ${p.constraint}`, part: p }));
  const requestMatters = policies.length > 0;

  return {
    principalsNeedingFacts(event) {
      const perms = permissionsOf(event);
      const relevant = rules.filter(({ rule }) => perms.some((p) => rule.deniedPermissions.some((d) => gcpPermissionMatches(d, p))));
      const sets = relevant.flatMap(({ rule }) => [...rule.deniedPrincipals, ...(rule.exceptionPrincipals ?? [])]);
      return sets.some((s) => NEEDS_FACTS.test(s)) ? [event.principal.id] : [];
    },
    dedupKey(e) {
      // Everything a rule or policy above reads: caller, permissions, the entry's project (service
      // account sets), location, tags, and the request when a policy reads it.
      return stable([
        e.principal.id,
        e.principal.account ?? "",
        permissionsOf(e),
        list(e.context[K_METHOD]),
        list(e.context["protoPayload.serviceName"]),
        list(e.context[K_PROJECT]),
        list(e.context[K_LOCATIONS]),
        e.context[GCP_RESOURCE_TAGS_KEY] === undefined ? null : list(e.context[GCP_RESOURCE_TAGS_KEY]),
        requestMatters && e.request ? e.request : null,
        requestMatters ? e.resource : "",
      ]);
    },
    async judge(event, facts): Promise<TImpactVerdict> {
      const f = facts.get(event.principal.id);
      let unknown: { reason: string; detail: string } | undefined;
      const consider = (by: string, t: Tri): TImpactVerdict | undefined => {
        if (t === true) return { verdict: "denied", by };
        if (isUnknown(t)) unknown ??= t;
        return undefined;
      };
      for (const { by, rule } of rules) {
        const v = consider(by, denyRuleVerdict(rule, event, f, orgId));
        if (v) return v;
      }
      for (const { by, part } of policies) {
        const custom = constraintsById.get(part.constraint);
        for (const rule of part.rules) {
          // A boolean rule with `enforce: false` switches the constraint off.
          if (rule.enforce === false) continue;
          let t: Tri;
          if (custom) {
            const target = custom.resourceTypes.map((rt) => customTarget(rt, event)).find((x) => x !== undefined);
            if (!target || !custom.methodTypes.includes(target.method) || !rule.enforce) continue;
            if (!target.resource) t = noBody(event);
            else {
              try {
                const matches = evaluateGcpCondition(custom.condition, target.resource);
                t = custom.actionType === "DENY" ? matches : !matches;
              } catch (e) {
                t = { reason: "cel-error", detail: (e as Error).message };
              }
            }
          } else {
            const judgeOf = ORG_POLICY_JUDGES[part.constraint];
            if (!judgeOf) {
              t = { reason: "unsupported-constraint", detail: part.constraint };
            } else {
              t = judgeOf(event, rule);
            }
          }
          // A conditional rule (tags) applies only where its condition holds; tags are not logged.
          if (rule.condition && t !== false) t = { reason: "missing-context", detail: `org policy condition ${rule.condition.expression}` };
          const v = consider(by, t);
          if (v) return v;
        }
      }
      return unknown ? { verdict: "unjudgeable", ...unknown } : { verdict: "allowed" };
    },
  };
}

export const gcpImpact: TImpactEvaluator<"gcp"> = {
  cloud: "gcp",
  prepare: ({ fragment, ctx }) => prepareGcp(fragment, ctx),
};
