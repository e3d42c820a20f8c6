/**
 * OCI impact: would a guardrail's compiled OCI artifacts (IAM deny statements and Security Zone
 * recipe policies) have refused a call the OCI Audit log recorded?
 *
 * Scope (which compartments the guardrail attaches to, so which events it is asked about) is the
 * replay's business: an event reaching `judge` happened inside the guardrail's scope, and the
 * statements are rendered for the event's compartment (`compartment id <event compartment>`).
 *
 * What the Audit log does not carry is never guessed:
 * - group memberships (Audit names the principal, not its groups): asked for through
 *   `principalsNeedingFacts`; without them a verdict that depends on them is `group-membership-unknown`
 *   (user groups, the Administrators exemption) — dynamic-group membership comes from matching rules
 *   Parapet does not evaluate, so it is unknown unless facts carry it;
 * - an operation outside the cited permission table (providers/oci/audit-records.ts): `unknown-permission`;
 * - a variable not logged (`request.region` when the event's endpoint is not known,
 *   `target.tag-namespace.name` on a create/update that may set defined tags): `missing-context`;
 * - a Security Zone property the logged state does not show: `no-request-body`.
 */
import type { AuditEvent, PrincipalFacts } from "@parapet/providers/contract";
import { OCI_OPERATIONS, ociPermissionInfo } from "@parapet/providers/oci/types";
import { renderOciStatement } from "@parapet/providers/oci/packing";
import type { TOciFragment } from "../catalog/types.ts";
import {
  evaluateOciDenyStatements,
  parseOciDenyStatement,
  type TOciGroupRef,
  type TOciPolicyPrincipal,
  type TOciPolicyRequest,
  type TOciStatement,
  type TOciVariable,
} from "./oci-policy.ts";
import type { TImpactEvaluator, TImpactVerdict, TPreparedImpact } from "./types.ts";

/**
 * The Security Zone policies Parapet compiles, as the operations they refuse and the property of the
 * resulting resource they test ("Security Zone Policies" —
 * https://docs.oracle.com/iaas/Content/security-zone/using/security-zone-policies.htm): public buckets
 * (`publicAccessType` other than `NoPublicAccess`, CreateBucket/UpdateBucket — Object Storage API
 * CreateBucketDetails/UpdateBucketDetails), resources without a Vault key (`kmsKeyId` null), databases
 * reachable from the internet (an Autonomous Database without a private endpoint has no `subnetId`).
 */
interface TZoneRule {
  operations: string[];
  property: string;
  violates(value: unknown): boolean;
}
const ZONE_RULES: Record<string, TZoneRule> = {
  "deny public_buckets": {
    operations: ["CreateBucket", "UpdateBucket"],
    property: "publicAccessType",
    violates: (v) => typeof v === "string" && v !== "NoPublicAccess",
  },
  "deny buckets_without_vault_key": { operations: ["CreateBucket"], property: "kmsKeyId", violates: (v) => v === null || v === "" },
  "deny block_volume_without_vault_key": { operations: ["CreateVolume"], property: "kmsKeyId", violates: (v) => v === null || v === "" },
  "deny boot_volume_without_vault_key": { operations: ["CreateBootVolume"], property: "kmsKeyId", violates: (v) => v === null || v === "" },
  "deny file_system_without_vault_key": { operations: ["CreateFileSystem"], property: "kmsKeyId", violates: (v) => v === null || v === "" },
  "deny db_instance_public_access": {
    operations: ["CreateAutonomousDatabase", "UpdateAutonomousDatabase"],
    property: "subnetId",
    violates: (v) => v === null || v === "",
  },
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** A property of the resulting resource as the entry logged it: the state after the change, or the event's details. */
function loggedProperty(event: AuditEvent, property: string): { value: unknown } | undefined {
  const r = event.request ?? {};
  const current = isObj(r.stateChange) ? r.stateChange.current : undefined;
  for (const source of [current, r.additionalDetails]) {
    if (isObj(source) && property in source) return { value: source[property] };
  }
  return undefined;
}

const groupRefs = (ids: readonly string[], names: readonly string[] | undefined): TOciGroupRef[] | undefined =>
  names && names.length === ids.length ? ids.map((id, i) => ({ id, name: names[i] as string })) : undefined;

/**
 * The authorization checks OCI would have made for the entry: the operation's permission, and for a
 * create or update that can set defined tags, the use of the tag namespaces it sets
 * (TAG_NAMESPACE_USE on `tag-namespaces`, which the Audit entry does not name — "Using Tags to Manage
 * Access", https://docs.oracle.com/iaas/Content/Tagging/Tasks/managingaccesswithtags.htm).
 */
function ociPolicyRequests(event: AuditEvent, facts: ReadonlyMap<string, PrincipalFacts>): TOciPolicyRequest[] {
  const f = facts.get(event.principal.id);
  const known = f?.found && f.groups ? groupRefs(f.groups, f.groupNames) : undefined;
  const user = event.principal.type === "user";
  const principal: TOciPolicyPrincipal = {
    id: event.principal.id,
    type: event.principal.type || "unknown",
    // A principal the cloud says does not exist has no groups; otherwise only facts say.
    ...(f && !f.found
      ? { groups: [], dynamicGroups: [] }
      : user
        ? known
          ? { groups: known }
          : {}
        : known
          ? { dynamicGroups: known }
          : {}),
  };
  const logged = (name: string): string | string[] | undefined => {
    const key = Object.keys(event.context).find((k) => k.toLowerCase() === name);
    return key === undefined ? undefined : event.context[key];
  };
  const perm = logged("request.permission");
  const permission = typeof perm === "string" ? perm : undefined;
  const info = permission ? ociPermissionInfo(permission) : undefined;
  const variable =
    (tagCheck: boolean) =>
    (name: string): TOciVariable => {
      const value = logged(name);
      if (name === "target.tag-namespace.name") {
        if (!tagCheck) return "not-applicable";
        return value !== undefined
          ? { value }
          : {
              unknown: true,
              reason: "missing-context",
              detail: "target.tag-namespace.name (the tag namespaces a request sets are not logged)",
            };
      }
      if (value !== undefined) return { value };
      return { unknown: true, reason: "missing-context", detail: `${name} is not in the audit entry` };
    };
  const main: TOciPolicyRequest = {
    principal,
    ...(permission ? { permission } : {}),
    ...(info ? { verb: info.verb, resourceTypes: info.resourceTypes } : {}),
    variable: variable(false),
  };
  const namespaces = logged("target.tag-namespace.name");
  const tags = OCI_OPERATIONS[event.action]?.setsTags && !(Array.isArray(namespaces) && namespaces.length === 0);
  return tags
    ? [main, { principal, permission: "TAG_NAMESPACE_USE", verb: "use", resourceTypes: ["tag-namespaces"], variable: variable(true) }]
    : [main];
}

function prepare(fragment: TOciFragment): TPreparedImpact {
  const parts = fragment.statements.map((part) => ({ part, st: parseOciDenyStatement(renderOciStatement(part, "tenancy")) }));
  const byText = new Map<TOciStatement, (typeof parts)[number]["part"]>(parts.map((p) => [p.st, p.part]));
  const statements = parts.map((p) => p.st);
  const zones = fragment.securityZonePolicies.flatMap((name) => {
    const rule = ZONE_RULES[name];
    return rule ? [{ name, rule }] : [];
  });
  const unmodelled = fragment.securityZonePolicies.filter((n) => !ZONE_RULES[n]);

  const location = (event: AuditEvent) => (event.nodeExternalId ? `compartment id ${event.nodeExternalId}` : "tenancy");

  function judgeNow(event: AuditEvent, facts: ReadonlyMap<string, PrincipalFacts>): TImpactVerdict {
    if (event.cloud !== "oci") return { verdict: "unjudgeable", reason: "wrong-cloud", detail: `a ${event.cloud} event` };
    let undecided: TImpactVerdict | undefined;
    for (const { name, rule } of zones) {
      if (!rule.operations.includes(event.action)) continue;
      const logged = loggedProperty(event, rule.property);
      if (!logged) {
        undecided ??= {
          verdict: "unjudgeable",
          reason: "no-request-body",
          detail: `${rule.property} is not logged (security zone: ${name})`,
        };
        continue;
      }
      if (rule.violates(logged.value)) return { verdict: "denied", by: `security zone: ${name}` };
    }
    for (const name of unmodelled) {
      undecided ??= { verdict: "unjudgeable", reason: "unsupported-action", detail: `security zone policy ${name} is not modelled` };
    }
    for (const req of ociPolicyRequests(event, facts)) {
      const r = evaluateOciDenyStatements(statements, req);
      if (r.verdict === "denied") return { verdict: "denied", by: renderOciStatement(byText.get(r.by)!, location(event)) };
      if (r.verdict === "unknown") undecided ??= { verdict: "unjudgeable", reason: r.why.reason, detail: r.why.detail };
    }
    return undecided ?? { verdict: "allowed" };
  }

  return {
    principalsNeedingFacts(event) {
      // Audit never logs groups. Any undecided verdict may hinge on them even when another unknown
      // is reported first (`all {namespace unknown, groups.id unknown}`), so ask whenever undecided.
      const v = judgeNow(event, new Map());
      return v.verdict === "unjudgeable" && v.reason !== "wrong-cloud" ? [event.principal.id] : [];
    },
    dedupKey(event) {
      const zoneProps = zones
        .filter((z) => z.rule.operations.includes(event.action))
        .map((z) => [z.rule.property, loggedProperty(event, z.rule.property)?.value ?? "(absent)"]);
      const ctx = Object.keys(event.context)
        .sort()
        .map((k) => [k, event.context[k]]);
      return JSON.stringify([
        event.cloud,
        event.principal.id,
        event.principal.type,
        event.principal.groups ?? null,
        event.action,
        ctx,
        zoneProps,
      ]);
    },
    judge(event, facts) {
      return Promise.resolve(judgeNow(event, facts));
    },
  };
}

export const ociImpact: TImpactEvaluator<"oci"> = {
  cloud: "oci",
  prepare: ({ fragment }) => prepare(fragment),
};
