/**
 * The customer's own policies in force at one node, per cloud, from a posture scan's inventory and the
 * node's ancestry (root first). Pure. Each cloud's inheritance is modelled as its documentation states:
 *
 * - AWS: an SCP layer per root/OU/account on the path; a request must be allowed by some policy of
 *   every layer and denied by none ("SCP evaluation" — https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
 *   SCPs never apply to the management account. RCPs the same along the resource's account path
 *   ("RCP evaluation" — https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html).
 * - Azure: assignments at the node's scope or any ancestor apply unless the node is in their notScopes
 *   or an exemption at or above the node waives them; `DoNotEnforce` assignments deny nothing
 *   ("Azure Policy assignment structure", "exemption structure" — https://learn.microsoft.com/azure/governance/policy/concepts/assignment-structure).
 * - GCP: the nearest policy per constraint wins; `inheritFromParent` merges a list constraint's rules
 *   with the parent's, `reset` drops to the default ("Understanding hierarchy evaluation" —
 *   https://cloud.google.com/resource-manager/docs/organization-policy/understanding-hierarchy). Deny policies
 *   attached at any ancestor apply (https://cloud.google.com/iam/docs/deny-overview#inheritance).
 * - OCI: policies in the node's compartment or an ancestor apply to it when their statement's location
 *   names the tenancy or a compartment on the path ("Policy inheritance" —
 *   https://docs.oracle.com/iaas/Content/Identity/policieshow/how-policies-work.htm); a security zone covers its
 *   compartment and the subcompartments (security-zone/using/security-zones.htm).
 */
import type { ForeignPolicy } from "@parapet/providers/contract";
import type { TIamPolicyDocument } from "@parapet/providers/aws/types";
import type { TGcpCustomConstraint, TGcpDenyRule, TGcpPolicyRule } from "@parapet/providers/gcp/types";
import type { TAzurePolicyPart, TOciStatementPart } from "../catalog/types.ts";
import { z } from "zod";

export interface TPostureNodeRef {
  externalId: string;
  name: string;
  kind: string;
}

interface TAwsLayer {
  id: string;
  policies: Array<{ name: string; policy: TIamPolicyDocument }>;
}

export interface TEffectiveForeignByCloud {
  aws: { cloud: "aws"; scpLevels: TAwsLayer[] | null; rcpLevels: TAwsLayer[]; note?: string };
  azure: { cloud: "azure"; parts: Array<{ policyName: string; part: TAzurePolicyPart }> };
  gcp: {
    cloud: "gcp";
    orgPolicies: Array<{ policyName: string; constraint: string; rules: TGcpPolicyRule[] }>;
    customConstraints: TGcpCustomConstraint[];
    denyRules: Array<{ policyName: string; rule: TGcpDenyRule }>;
  };
  oci: {
    cloud: "oci";
    statements: Array<{ policyName: string; text: string; part: TOciStatementPart }>;
    zonePolicies: Array<{ zoneName: string; policy: string }>;
  };
}
type TEffectiveForeign = TEffectiveForeignByCloud[keyof TEffectiveForeignByCloud];

const FULL_ACCESS: TIamPolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

const ZAwsBody = z.object({ content: z.string() }).loose();
const ZAzureAssignment = z
  .object({
    scope: z.string(),
    enforcementMode: z.string().default("Default"),
    notScopes: z.array(z.string()).default([]),
    policies: z.array(z.object({ referenceId: z.string(), definition: z.unknown(), parameters: z.record(z.string(), z.unknown()) })),
  })
  .loose();
const ZAzureExemption = z
  .object({ scope: z.string(), policyAssignmentId: z.string(), policyDefinitionReferenceIds: z.array(z.string()).default([]) })
  .loose();
const ZGcpOrgPolicy = z
  .object({
    constraint: z.string(),
    spec: z
      .object({ rules: z.array(z.unknown()).default([]), inheritFromParent: z.boolean().optional(), reset: z.boolean().optional() })
      .loose()
      .optional(),
  })
  .loose();
const ZGcpDeny = z.object({ rules: z.array(z.object({ denyRule: z.unknown() }).loose()) }).loose();
const ZOciPolicy = z.object({ compartmentId: z.string(), statements: z.array(z.string()) }).loose();
const ZOciZone = z.object({ compartmentId: z.string(), policies: z.array(z.string()) }).loose();

function parseDoc(content: string): TIamPolicyDocument | undefined {
  try {
    return JSON.parse(content) as TIamPolicyDocument;
  } catch {
    return undefined;
  }
}

/** Compares ARM ids and scopes without case or a leading slash, as ARM does. */
const armKey = (s: string): string => s.replace(/^\//, "").toLowerCase();

/** The scope string an Azure node is known by: `providers/Microsoft.Management/managementGroups/x` or `subscriptions/y`. */
function azureScopeOf(node: TPostureNodeRef): string {
  // Discovery records Azure nodes by their scope already; bare names are accepted for convenience.
  if (node.externalId.includes("/")) return node.externalId;
  return node.kind === "subscription"
    ? `subscriptions/${node.externalId}`
    : `providers/Microsoft.Management/managementGroups/${node.externalId}`;
}

/**
 * Splits an OCI statement into its head and condition and says where it applies
 * ("Policy syntax" — https://docs.oracle.com/iaas/Content/Identity/policysyntax/policysyntax.htm:
 * `<verb clause> in <location> [where <conditions>]`).
 */
function splitOciStatement(text: string): { part: TOciStatementPart; location: string } | undefined {
  const m = /^(.*?)\s+in\s+(tenancy|compartment\s+(?:id\s+)?[^\s]+)(?:\s+where\s+(.*))?$/is.exec(text.trim());
  if (!m) return undefined;
  return { part: { head: m[1]!.trim(), ...(m[3] ? { where: m[3].trim() } : {}) }, location: m[2]!.trim() };
}

/** The foreign policies in force at `chain[chain.length-1]` (chain = root … node). */
export function effectiveForeign<C extends keyof TEffectiveForeignByCloud>(
  cloud: C,
  inventory: readonly ForeignPolicy[],
  chain: readonly TPostureNodeRef[],
  opts: { managementAccountId?: string } = {},
): TEffectiveForeignByCloud[C] {
  const ids = chain.map((n) => n.externalId);
  const node = chain[chain.length - 1];
  const out = ((): TEffectiveForeign => {
    switch (cloud) {
      case "aws": {
        const layers = (kind: "aws.scp" | "aws.rcp"): TAwsLayer[] =>
          ids.map((id) => {
            const policies = inventory
              .filter((p) => p.kind === kind && p.attachments.includes(id))
              .flatMap((p) => {
                const b = ZAwsBody.safeParse(p.body);
                const doc = b.success ? parseDoc(b.data.content) : undefined;
                return doc ? [{ name: p.name, policy: doc }] : [];
              });
            if (kind === "aws.rcp") {
              // RCPs only restrict: RCPFullAWSAccess (the AWS-managed Allow on every target) decides
              // nothing, so only Deny statements are kept (the simulator refuses an Allow in an RCP).
              const denies = policies.flatMap((p) => {
                const st = (Array.isArray(p.policy.Statement) ? p.policy.Statement : [p.policy.Statement]).filter(
                  (x) => x.Effect === "Deny",
                );
                return st.length ? [{ name: p.name, policy: { ...p.policy, Statement: st } }] : [];
              });
              return { id, policies: denies };
            }
            // AWS keeps at least one SCP on every target; a layer the scan saw empty was not read,
            // so it is taken as FullAWSAccess rather than as "deny everything".
            return { id, policies: policies.length > 0 ? policies : [{ name: "FullAWSAccess", policy: FULL_ACCESS }] };
          });
        const mgmt = node !== undefined && node.externalId === opts.managementAccountId;
        return {
          cloud: "aws",
          scpLevels: mgmt ? null : layers("aws.scp"),
          rcpLevels: mgmt ? [] : layers("aws.rcp").filter((l) => l.policies.length > 0),
          ...(mgmt ? { note: "SCPs and RCPs do not apply to the management account" } : {}),
        };
      }
      case "azure": {
        const scopes = new Set(chain.map((n) => armKey(azureScopeOf(n))));
        const exemptions = inventory
          .filter((p) => p.kind === "azure.policy-exemption")
          .flatMap((p) => {
            const b = ZAzureExemption.safeParse(p.body);
            return b.success && scopes.has(armKey(b.data.scope)) ? [b.data] : [];
          });
        const parts: Array<{ policyName: string; part: TAzurePolicyPart }> = [];
        for (const p of inventory) {
          if (p.kind !== "azure.policy-assignment") continue;
          const b = ZAzureAssignment.safeParse(p.body);
          if (!b.success || !scopes.has(armKey(b.data.scope)) || b.data.enforcementMode === "DoNotEnforce") continue;
          if (b.data.notScopes.some((s) => scopes.has(armKey(s)))) continue;
          const mine = exemptions.filter((e) => armKey(e.policyAssignmentId) === armKey(p.externalId));
          for (const part of b.data.policies) {
            if (mine.some((e) => e.policyDefinitionReferenceIds.length === 0 || e.policyDefinitionReferenceIds.includes(part.referenceId)))
              continue;
            parts.push({ policyName: p.name, part: part as TAzurePolicyPart });
          }
        }
        return { cloud: "azure", parts };
      }
      case "gcp": {
        const byConstraint = new Map<string, { policyName: string; rules: TGcpPolicyRule[] }>();
        for (const id of ids) {
          for (const p of inventory) {
            if (p.kind !== "gcp.org-policy" || !p.attachments.includes(id)) continue;
            const b = ZGcpOrgPolicy.safeParse(p.body);
            if (!b.success || !b.data.spec) continue;
            const prev = byConstraint.get(b.data.constraint);
            const rules = b.data.spec.rules as TGcpPolicyRule[];
            if (b.data.spec.reset) byConstraint.delete(b.data.constraint);
            else if (b.data.spec.inheritFromParent && prev)
              byConstraint.set(b.data.constraint, { policyName: `${prev.policyName}, ${p.name}`, rules: [...prev.rules, ...rules] });
            else byConstraint.set(b.data.constraint, { policyName: p.name, rules });
          }
        }
        const customConstraints = inventory.filter((p) => p.kind === "gcp.custom-constraint").map((p) => p.body as TGcpCustomConstraint);
        const denyRules = inventory
          .filter((p) => p.kind === "gcp.deny-policy" && p.attachments.some((a) => ids.includes(a)))
          .flatMap((p) => {
            const b = ZGcpDeny.safeParse(p.body);
            return b.success ? b.data.rules.map((r) => ({ policyName: p.name, rule: r.denyRule as TGcpDenyRule })) : [];
          });
        return {
          cloud: "gcp",
          orgPolicies: [...byConstraint.entries()].map(([constraint, v]) => ({ constraint, ...v })),
          customConstraints,
          denyRules,
        };
      }
      case "oci": {
        const names = new Set(chain.flatMap((n) => [n.name.toLowerCase(), n.externalId.toLowerCase()]));
        const statements: TEffectiveForeignByCloud["oci"]["statements"] = [];
        const zonePolicies: TEffectiveForeignByCloud["oci"]["zonePolicies"] = [];
        for (const p of inventory) {
          if (p.kind === "oci.policy") {
            const b = ZOciPolicy.safeParse(p.body);
            if (!b.success || !ids.includes(b.data.compartmentId)) continue;
            for (const text of b.data.statements) {
              const s = splitOciStatement(text);
              if (!s) continue;
              const loc = s.location.toLowerCase();
              const where = loc === "tenancy" ? null : loc.replace(/^compartment\s+(id\s+)?/, "");
              // `compartment A:B` names a path; its last element is the compartment meant.
              if (where !== null && !names.has(where.split(":").pop()!)) continue;
              statements.push({ policyName: p.name, text, part: s.part });
            }
          } else if (p.kind === "oci.security-zone") {
            const b = ZOciZone.safeParse(p.body);
            if (b.success && ids.includes(b.data.compartmentId))
              for (const policy of b.data.policies) zonePolicies.push({ zoneName: p.name, policy });
          }
        }
        return { cloud: "oci", statements, zonePolicies };
      }
    }
    throw new Error(`unknown cloud ${String(cloud)}`);
  })();
  return out as TEffectiveForeignByCloud[C];
}
