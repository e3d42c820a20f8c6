import type { TAzureFragment, TCloud, TFragment, TOciFragment, TScenario } from "./types.ts";
import { OCI_INSTANCE_PRINCIPAL } from "./compilers/oci.ts";

/** Small builders so control files state expectations, not plumbing. */

export function aws<P>(
  name: string,
  actor: Extract<TScenario<P>, { kind: "aws-simulate" }>["actor"],
  action: string,
  resource: string,
  expect: "allowed" | "denied",
  extra: { context?: Record<string, string | string[]>; inScope?: boolean; openResourcePolicy?: boolean; bucketAbac?: boolean } = {},
): TScenario<P> {
  return { kind: "aws-simulate", cloud: "aws", name, actor, action, resource, expect, ...extra };
}

function structure<P>(cloud: TCloud, name: string, check: (fragment: TFragment, params: P) => string[]): TScenario<P> {
  return { kind: "structure", cloud, name, check: (fragment, _ctx, params) => check(fragment, params) };
}

/** Rules, parameter definitions and the values passed: where an effect like denyAction shows up. */
function azureRuleJson(f: TFragment): string {
  return JSON.stringify(
    (f as TAzureFragment).policies.map((p) => [p.definition.properties.policyRule, p.definition.properties.parameters, p.parameters]),
  );
}

/** Fails unless every needle occurs in the fragment's policy rules. */
export function azureContains<P>(name: string, needles: string[]): TScenario<P> {
  return structure<P>("azure", name, (f) => {
    const json = azureRuleJson(f);
    return needles.filter((n) => !json.includes(n)).map((n) => `policy rules do not contain ${n}`);
  });
}

/** An OCI API call by an actor, judged by the OCI impact evaluator against the compiled artifacts. */
export function oci<P>(
  name: string,
  actor: Extract<TScenario<P>, { kind: "oci-request" }>["actor"],
  operation: string,
  expect: "allowed" | "denied",
  extra: { inScope?: boolean; region?: string; context?: Record<string, string | string[]>; resource?: Record<string, unknown> } = {},
): TScenario<P> {
  return { kind: "oci-request", cloud: "oci", name, actor, operation, expect, ...extra };
}

export function emptyOn<P>(cloud: TCloud, name: string): TScenario<P> {
  return structure<P>(cloud, name, (f) => {
    const n = JSON.stringify(f);
    const empty =
      (f.cloud === "aws" && f.statements.length === 0) ||
      (f.cloud === "azure" && f.policies.length === 0) ||
      (f.cloud === "gcp" && f.orgPolicies.length + f.customConstraints.length + f.denyRules.length === 0) ||
      (f.cloud === "oci" && f.statements.length + f.securityZonePolicies.length === 0);
    return empty ? [] : [`expected no artifacts, got ${n.slice(0, 200)}`];
  });
}

/** An ARM request evaluated against the compiled Azure policies. */
export function azureRequest<P>(
  name: string,
  action: "write" | "delete",
  resource: Record<string, unknown>,
  expect: "allowed" | "denied",
  resourceGroupTags?: Record<string, string>,
): TScenario<P> {
  return { kind: "azure-policy", cloud: "azure", name, action, resource, expect, ...(resourceGroupTags ? { resourceGroupTags } : {}) };
}

/**
 * Statements about dynamic groups (instance and resource principals) must not carry a
 * `request.groups.id` exemption: that variable only applies to users, and a condition on a variable
 * that does not apply evaluates to false, which would switch the deny off for every member.
 */
export function ociDynamicGroupDenies<P>(name: string): TScenario<P> {
  return structure<P>("oci", name, (f) => {
    const dyn = (f as TOciFragment).statements.filter((s) => /^deny dynamic-group /.test(s.head));
    if (dyn.length === 0) return ["no deny statement names a dynamic group"];
    return dyn
      .filter((s) => /request\.groups\.id/.test(s.where ?? ""))
      .map((s) => `"${s.head}" is excepted by request.groups.id, which never applies to its members`);
  });
}

/**
 * A tenancy-wide deny excepted by user group (`request.groups.id`) never applies to an instance
 * principal, since that variable does not apply to it: every such statement needs its twin for
 * `request.principal.type = 'instance'`, excepted by OCID only, or agents on compute instances pass.
 */
export function ociInstanceTwins<P>(name: string): TScenario<P> {
  return structure<P>("oci", name, (f) => {
    const st = (f as TOciFragment).statements.filter((s) => /^deny any-user /.test(s.head));
    const byGroup = st.filter((s) => /request\.groups\.id/.test(s.where ?? ""));
    if (byGroup.length === 0) return ["no tenancy-wide deny is excepted by user group"];
    const rule = (s: { head: string; where?: string }) => `${s.head} ${/request\.permission = '[^']+'/.exec(s.where ?? "")?.[0] ?? ""}`;
    const twins = new Set(
      st.filter((s) => (s.where ?? "").includes(OCI_INSTANCE_PRINCIPAL) && !/request\.groups\.id/.test(s.where ?? "")).map(rule),
    );
    return byGroup
      .filter((s) => !twins.has(rule(s)))
      .map((s) => `"${rule(s)}" has no instance-principal twin, so instance principals pass it`);
  });
}

/**
 * OCI exempts the default domain's Administrators group from every deny: a statement naming it would
 * be ignored, so Parapet never writes one, and the control's gap says admins are not blocked.
 */
export function ociAdminsExempt<P>(name: string): TScenario<P> {
  return structure<P>("oci", name, (f) =>
    (f as TOciFragment).statements
      .filter((s) => /\bAdministrators\b/i.test(s.head))
      .map((s) => `"${s.head}" names the Administrators group, which OCI always exempts`),
  );
}

/** A call as Cloud Audit Logs records it, judged by the GCP impact evaluator against the compiled artifacts. */
export function gcpRequest<P>(
  name: string,
  actor: Extract<TScenario<P>, { kind: "gcp-request" }>["actor"],
  permission: string,
  resource: string,
  expect: "allowed" | "denied",
  extra: { request?: Record<string, unknown>; location?: string; resourceTags?: Record<string, string> } = {},
): TScenario<P> {
  return { kind: "gcp-request", cloud: "gcp", name, actor, permission, resource, expect, ...extra };
}

/** Full resource names the GCP request scenarios act on (the prod project is `prod-app`). */
export const GCP_RES = {
  bucket: "//storage.googleapis.com/projects/_/buckets/prod-data",
  newBucket: "//storage.googleapis.com/projects/_/buckets/new-data",
  regulatedObject: "//storage.googleapis.com/projects/_/buckets/regulated-data/objects/patients.parquet",
  sink: "//logging.googleapis.com/projects/prod-app/sinks/org-audit",
  snapshot: "//compute.googleapis.com/projects/prod-app/global/snapshots/db-daily",
  project: "//cloudresourcemanager.googleapis.com/projects/prod-app",
  instance: "//compute.googleapis.com/projects/prod-app/zones/europe-west1-b/instances/web-1",
  sqlInstance: "//cloudsql.googleapis.com/projects/prod-app/instances/orders",
  secretVersion: "//secretmanager.googleapis.com/projects/prod-app/secrets/db-password/versions/latest",
} as const;
