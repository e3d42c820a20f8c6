/**
 * Principal classes decide who every compiled deny spares (connector, break-glass) and whom some
 * denies single out (agents, MCP servers, non-prod). Widening a spared class, or narrowing a singled-out
 * one, removes protection as surely as disabling a guardrail, so it goes through the two-person rule;
 * a class that names everyone is refused outright.
 */
import type { PrismaClient, Tx } from "@parapet/db";
import { canonicalJson } from "@parapet/providers/contract";
import { ZPrincipalClasses } from "../catalog/principals.ts";
import { AppError, type FieldIssue } from "../common/errors.ts";
import { arnLike } from "../reconcile/connector-identity.ts";
import { loadDesired } from "../reconcile/reconcile-connection.ts";
import type { TCloudName } from "./connections.schema.ts";
import { findConnectionPrincipals, setConnectionPrincipals } from "./connections.repository.ts";

/** Classes every deny spares: adding to them widens an exemption. */
const EXEMPT_CLASSES = ["connector", "breakGlass"] as const;
/** Classes some denies are limited to: removing from them narrows what is denied. */
const SUBJECT_CLASSES = ["agents", "mcpServers", "nonProd"] as const;

/**
 * AWS: a pattern whose resource type is a wildcard (`*`, `r*`) or whose name after a literal type is
 * only wildcards and path separators (`role/*`, `role/*\/*`) matches every principal of the account(s)
 * — with `::*:` every principal of every account. IAM's ArnLike treats `*` and `?` as wildcards in
 * each ARN component (IAM User Guide, "Condition operators: Amazon Resource Name (ARN) condition
 * operators", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
 */
export function awsPatternIsWildcardOnly(pattern: string): boolean {
  const resource = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$/.exec(pattern)?.[1];
  if (resource === undefined) return false;
  const slash = resource.indexOf("/");
  const type = slash < 0 ? resource : resource.slice(0, slash);
  if (/[*?]/.test(type)) return true;
  const name = slash < 0 ? "" : resource.slice(slash + 1);
  return !/[^*?/]/.test(name);
}

/**
 * GCP: identifiers that stand for a whole population rather than named principals: everyone on the
 * internet (`principalSet://goog/public:all`), every account of the Cloud Identity customer, every
 * service account of an organization or folder, and every identity of a workload/workforce pool
 * (IAM "Principal identifiers", https://cloud.google.com/iam/docs/principal-identifiers; IAM v2
 * DenyRule.denied_principals / exception_principals).
 */
const GCP_POPULATIONS = [
  /^principalSet:\/\/goog\/public:all$/,
  /^principalSet:\/\/goog\/cloudIdentityCustomerId\//,
  /^principalSet:\/\/cloudresourcemanager\.googleapis\.com\/(organizations|folders)\/\d+\/type\/ServiceAccount$/,
  /^principalSet:\/\/iam\.googleapis\.com\/.*\/\*$/,
];

/**
 * OCI: `any-user` / `any-group` are policy subjects meaning every principal of the tenancy (OCI
 * "Policy Syntax", https://docs.oracle.com/iaas/Content/Identity/Concepts/policysyntax.htm); as a group
 * or dynamic-group name they would compile into a statement about everyone.
 */
const OCI_EVERYONE = /^([A-Za-z0-9_.-]+\/)?any-(user|group)$/i;

/** Fields of a principal-classes object that name everyone; each a 422 issue. */
export function wildcardOnlyIssues(cloud: TCloudName, raw: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  for (const [cls, value] of Object.entries(raw)) {
    const at = (field: string | null, i: number) => ["principals", cls, ...(field ? [field] : []), String(i)].join(".");
    if (cloud === "aws") {
      strings((value as { roleArnPatterns?: unknown } | null)?.roleArnPatterns).forEach((p, i) => {
        if (awsPatternIsWildcardOnly(p))
          issues.push({
            field: at("roleArnPatterns", i),
            message: `"${p}" matches every principal; name the roles (e.g. arn:aws:iam::*:role/BreakGlass*)`,
          });
      });
    } else if (cloud === "gcp") {
      strings(value).forEach((p, i) => {
        if (GCP_POPULATIONS.some((re) => re.test(p)))
          issues.push({
            field: at(null, i),
            message: `"${p}" stands for a whole population of principals; name the service accounts or groups`,
          });
      });
    } else if (cloud === "oci") {
      for (const field of ["groups", "dynamicGroups"]) {
        strings((value as Record<string, unknown> | null)?.[field]).forEach((p, i) => {
          if (OCI_EVERYONE.test(p))
            issues.push({ field: at(field, i), message: `"${p}" means every principal of the tenancy; name the groups` });
        });
      }
    }
    // Azure classes are object/application GUIDs: they cannot name everyone.
  }
  return issues;
}

/** The identities a class names, as comparable atoms (AWS ARN patterns stay patterns). */
function atoms(cloud: TCloudName, cls: unknown): string[] {
  if (Array.isArray(cls)) return cls.map(String);
  const o = (cls ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  if (cloud === "aws" && o.tag && typeof o.tag === "object") {
    const t = o.tag as { key: string; value: string };
    out.push(`tag:${t.key}=${t.value}`);
  }
  for (const [field, v] of Object.entries(o))
    if (Array.isArray(v)) for (const x of v) out.push(cloud === "aws" ? String(x) : `${field}:${String(x)}`);
  return out;
}

/**
 * Whether `atom` names only identities `set` already names. AWS patterns: a pattern without `?` that
 * matches the other pattern's text covers it (its `*`s absorb the other's wildcards); otherwise only
 * an identical atom does. Conservative: an unnecessary approval is cheap, a missed one is not.
 */
function covered(cloud: TCloudName, atom: string, set: string[]): boolean {
  return set.some(
    (q) => q === atom || (cloud === "aws" && !q.startsWith("tag:") && !atom.startsWith("tag:") && !q.includes("?") && arnLike(q, atom)),
  );
}

/** Reasons a principal-class change removes protection (pure; both sides parsed with the cloud's defaults). */
export function principalWeakenings(cloud: TCloudName, beforeRaw: unknown, afterRaw: unknown): string[] {
  const before = ZPrincipalClasses[cloud].safeParse(beforeRaw ?? {});
  const after = ZPrincipalClasses[cloud].safeParse(afterRaw ?? {});
  if (!after.success) return [];
  const b = (before.success ? before.data : {}) as Record<string, unknown>;
  const a = after.data as Record<string, unknown>;
  const reasons: string[] = [];
  for (const cls of EXEMPT_CLASSES) {
    const old = atoms(cloud, b[cls]);
    const added = atoms(cloud, a[cls]).filter((x) => !covered(cloud, x, old));
    if (added.length) reasons.push(`principals.${cls}: every deny would also spare ${added.join(", ")}`);
  }
  for (const cls of SUBJECT_CLASSES) {
    const now = atoms(cloud, a[cls]);
    const dropped = atoms(cloud, b[cls]).filter((x) => !covered(cloud, x, now));
    if (dropped.length) reasons.push(`principals.${cls}: denies aimed at this class would no longer reach ${dropped.join(", ")}`);
  }
  return reasons;
}

/**
 * Evaluates a principal change on a connection: the weakening reasons, kept only when the change alters
 * what would be deployed (the connection's desired state compiled with the old and the new classes).
 * A class no active guardrail compiles (Azure Policy cannot name callers at all) changes nothing in
 * the cloud and needs no second person. A connection with nothing discovered yet cannot be evaluated,
 * so its reasons stand.
 */
export async function principalChangeReasons(
  prisma: PrismaClient,
  c: { id: string; workspaceId: string; cloud: TCloudName; facts: unknown; principals: unknown; limits: unknown },
  next: Record<string, unknown>,
): Promise<string[]> {
  const reasons = principalWeakenings(c.cloud, c.principals, next);
  if (reasons.length === 0) return [];
  const was = await loadDesired(prisma, c.workspaceId, c.id, c.cloud, c.facts, c.principals ?? {}, c.limits);
  if (was.input.nodes.length === 0) return reasons;
  const now = await loadDesired(prisma, c.workspaceId, c.id, c.cloud, c.facts, next, c.limits);
  return canonicalJson(was.state.artifacts) === canonicalJson(now.state.artifacts) ? [] : reasons;
}

/** Applies an approved principal change, only over the classes the requester saw. */
export async function writeApprovedPrincipals(
  tx: Tx,
  workspaceId: string,
  connectionId: string,
  before: unknown,
  principals: unknown,
): Promise<string> {
  const c = await findConnectionPrincipals(tx, workspaceId, connectionId);
  if (!c) throw new AppError("conflict", "connection: it no longer exists; reject the request");
  if (canonicalJson(c.principals ?? {}) !== canonicalJson(before ?? {}))
    throw new AppError(
      "conflict",
      "connection: its principal classes changed since this request; reject the request and ask for a new one",
    );
  await setConnectionPrincipals(tx, c.id, principals ?? {});
  return c.id;
}
