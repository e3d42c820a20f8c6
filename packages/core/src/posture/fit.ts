/**
 * Fit and conflicts before the first deploy (issue 19): what the customer's own policies already take
 * of each target's quota, and whether any of them would deny Parapet's connector its own calls
 * (lockout) — judged with the same evaluators as the scenarios, never guessed from names.
 */
import type { ForeignPolicy } from "@parapet/providers/contract";
import { AWS_DEFAULT_LIMITS, type TAwsPolicyLimits } from "@parapet/providers/aws/types";
import { minimumPermissions as awsPermissions } from "@parapet/providers/aws/permissions";
import { minimumPermissions as gcpPermissions } from "@parapet/providers/gcp/permissions";
import { AZURE_LIMITS } from "@parapet/providers/azure/types";
import { GCP_LIMITS } from "@parapet/providers/gcp/types";
import { OCI_LIMITS } from "@parapet/providers/oci/types";
import { azureRefusals } from "../catalog/azure-eval.ts";
import { buildContext } from "../catalog/compile.ts";
import { SCENARIO_GUARDRAIL, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import type { TCloud, TGcpFragment, TOciFragment, TScenario } from "../catalog/types.ts";
import { simulateAwsRequest } from "../impact/aws-simulate.ts";
import { gcpImpact } from "../impact/gcp.ts";
import { gcpScenarioEvent } from "../impact/gcp-scenario.ts";
import { judgeOciScenario } from "../impact/oci-scenarios.ts";
import type { TEffectiveForeignByCloud } from "./effective.ts";

export interface TSlotUse {
  target: string;
  /** What the quota counts: `SCPs`, `RCPs`, `assignments`, `exemptions`, `deny policies`, `policies`. */
  what: string;
  used: number;
  limit: number;
  /** Foreign policies taking the slots. */
  policies: string[];
  /** Largest foreign document there against its per-document limit (AWS). */
  largestChars?: number;
  charLimit?: number;
}

/**
 * Slots the customer's policies take per target. Limits: AWS Organizations quotas (10 SCPs × 10,240
 * characters per target since 2026-05-15, RCPs 5 × 5,120 — orgs_reference_limits; per connection when
 * set), Azure Policy limits (200 assignments, 1,000 exemptions per scope — azure-subscription-service-limits
 * #azure-policy-limits), GCP IAM deny (5 deny policies per resource — iam/quotas#limits), OCI
 * (100 policies per tenancy — Identity service limits).
 */
export function postureSlots(cloud: TCloud, inventory: readonly ForeignPolicy[], limits: Partial<TAwsPolicyLimits> = {}): TSlotUse[] {
  const aws = { ...AWS_DEFAULT_LIMITS, ...limits };
  const spec: Partial<Record<ForeignPolicy["kind"], { what: string; limit: number; chars?: number }>> = {
    "aws.scp": { what: "SCPs", limit: aws.maxPoliciesPerTarget, chars: aws.maxPolicyChars },
    "aws.rcp": { what: "RCPs", limit: aws.maxRcpsPerTarget, chars: aws.maxRcpChars },
    "azure.policy-assignment": { what: "assignments", limit: AZURE_LIMITS.assignmentsPerScope },
    "azure.policy-exemption": { what: "exemptions", limit: AZURE_LIMITS.exemptionsPerScope },
    "gcp.deny-policy": { what: "deny policies", limit: GCP_LIMITS.denyPoliciesPerResource },
    "oci.policy": { what: "policies", limit: OCI_LIMITS.policiesPerTenancy },
  };
  const out = new Map<string, TSlotUse>();
  for (const p of inventory) {
    const s = spec[p.kind];
    if (!s || !p.kind.startsWith(cloud)) continue;
    // OCI's quota is per tenancy, whatever compartment the policy lives in.
    for (const target of p.kind === "oci.policy" ? ["tenancy"] : p.attachments) {
      const k = `${target}|${s.what}`;
      const u = out.get(k) ?? {
        target,
        what: s.what,
        used: 0,
        limit: s.limit,
        policies: [],
        ...(s.chars ? { largestChars: 0, charLimit: s.chars } : {}),
      };
      u.used++;
      u.policies.push(p.name);
      if (s.chars) u.largestChars = Math.max(u.largestChars ?? 0, p.size);
      out.set(k, u);
    }
  }
  return [...out.values()].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : a.what < b.what ? -1 : 1));
}

export interface TLockout {
  /** The connector's call the customer's policy would refuse. */
  call: string;
  by: string[];
  detail: string;
}

interface TConnectorHome<C extends TCloud> {
  cloud: C;
  /** Foreign policies in force where the connector acts (AWS: its own account; elsewhere the root). */
  effective: TEffectiveForeignByCloud[C];
  principals: unknown;
  facts: unknown;
  /** AWS: the connector role's ARN (its account decides which SCPs apply). */
  connectorArn?: string;
}

const scenarioCtx = <C extends TCloud>(cloud: C, principals: unknown, facts: unknown) =>
  buildContext({
    cloud,
    mode: "enforce",
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    principals,
    facts,
    params: undefined,
  });

/** The connector's own writes judged against the customer's policies where it acts: any denial is a lockout risk. */
export async function connectorLockouts<C extends TCloud>(home: TConnectorHome<C>): Promise<TLockout[]> {
  const out: TLockout[] = [];
  switch (home.cloud) {
    case "aws": {
      const eff = home.effective as TEffectiveForeignByCloud["aws"];
      // SCPs do not apply to the management account (orgs_manage_policies_scps): a connector there cannot be locked out by them.
      if (!eff.scpLevels || !home.connectorArn) return out;
      const account = home.connectorArn.split(":")[4] ?? "";
      for (const p of awsPermissions.filter((x) => x.access === "write")) {
        const r = await simulateAwsRequest({
          principalArn: home.connectorArn,
          principalAccount: account,
          action: p.permission,
          resource: "*",
          resourceAccount: account,
          context: {
            "aws:PrincipalArn": home.connectorArn,
            "aws:PrincipalAccount": account,
            "aws:RequestedRegion": "us-east-1",
            "aws:SecureTransport": "true",
          },
          scps: [],
          rcps: [],
          scpLevels: eff.scpLevels,
        });
        if (r.decision === "denied")
          out.push({
            call: p.permission,
            by: r.deniedByPolicy.length ? r.deniedByPolicy : ["(no SCP layer allows it)"],
            detail: `${home.connectorArn}: ${r.raw}`,
          });
      }
      return out;
    }
    case "gcp": {
      const eff = home.effective as TEffectiveForeignByCloud["gcp"];
      const ctx = scenarioCtx("gcp", home.principals, home.facts);
      const fragment: TGcpFragment = {
        cloud: "gcp",
        guardrailId: "foreign",
        dryRun: false,
        attachDenyRules: true,
        orgPolicies: [],
        customConstraints: [],
        denyRules: eff.denyRules.map((d) => ({ description: d.policyName, denyRule: d.rule })),
      };
      const prepared = gcpImpact.prepare({ fragment, ctx });
      for (const p of gcpPermissions.filter((x) => !x.readOnly && !x.permission.startsWith("logging."))) {
        const s: Extract<TScenario<unknown>, { kind: "gcp-request" }> = {
          kind: "gcp-request",
          cloud: "gcp",
          name: p.permission,
          actor: "connector",
          permission: p.permission,
          resource: `//cloudresourcemanager.googleapis.com/organizations/${ctx.facts.organizationId}`,
          expect: "allowed",
        };
        const req = gcpScenarioEvent(s, ctx);
        if (!req) continue;
        const v = await prepared.judge(req.event, req.facts);
        if (v.verdict === "denied") out.push({ call: p.permission, by: [v.by.replace(/^deny rule \d+: /, "")], detail: "IAM deny policy" });
      }
      return out;
    }
    case "azure": {
      const eff = home.effective as TEffectiveForeignByCloud["azure"];
      // Azure Policy cannot name a caller; what it can refuse is the resource Parapet writes (policy
      // definitions, initiatives, assignments, exemptions at the root management group).
      for (const type of ["policyDefinitions", "policySetDefinitions", "policyAssignments", "policyExemptions"]) {
        for (const action of ["write", "delete"] as const) {
          const refused = azureRefusals(
            { cloud: "azure", guardrailId: "foreign", enforcementMode: "Default", policies: eff.parts.map((p) => p.part) },
            { action, resource: { type: `Microsoft.Authorization/${type}`, name: "parapet-probe", properties: {} } },
          );
          if (refused.length)
            out.push({
              call: `Microsoft.Authorization/${type}/${action}`,
              by: [...new Set(eff.parts.filter((p) => refused.includes(p.part.referenceId)).map((p) => p.policyName))].sort(),
              detail: "Azure Policy refuses the resource",
            });
        }
      }
      return out;
    }
    case "oci": {
      const eff = home.effective as TEffectiveForeignByCloud["oci"];
      const ctx = scenarioCtx("oci", home.principals, home.facts);
      const fragment: TOciFragment = {
        cloud: "oci",
        guardrailId: "foreign",
        attach: true,
        statements: eff.statements.filter((x) => /^deny\s/i.test(x.part.head)).map((x) => x.part),
        securityZonePolicies: [],
      };
      for (const operation of ["CreatePolicy", "UpdatePolicy", "DeletePolicy"]) {
        const v = await judgeOciScenario(
          { fragment, ctx },
          { kind: "oci-request", cloud: "oci", name: operation, actor: "connector", operation, expect: "allowed" },
        );
        if (v.verdict === "denied") {
          const hit = eff.statements.find((s) => v.by.startsWith(s.part.head));
          out.push({ call: operation, by: [hit?.policyName ?? v.by], detail: v.by });
        }
      }
      return out;
    }
  }
  return out;
}
