/**
 * One AWS request evaluated against Parapet's SCPs and RCPs with the IAM policy simulator
 * (@cloud-copilot/iam-simulate). Shared by the catalog's scenario proofs (catalog/scenarios.ts) and
 * impact replay (impact/aws.ts), so a scenario and a replayed CloudTrail event are judged by the same
 * code. The simulator fills no request context itself: callers pass every key the request carries.
 */
import { runSimulation, type RunSimulationResults, type Simulation } from "@cloud-copilot/iam-simulate";
import type { TIamPolicyDocument } from "@parapet/providers/aws/types";

const FULL_ACCESS: TIamPolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

export interface TAwsSimRequest {
  principalArn: string;
  action: string;
  resource: string;
  /** The account that owns the resource (RCPs are those of its organisation). */
  resourceAccount: string;
  context: Record<string, string | string[]>;
  /**
   * SCPs that apply to the principal's account, or `null` when no Parapet SCP applies (a principal
   * outside the organisation, the management account, a service-linked role).
   */
  scps: readonly TIamPolicyDocument[] | null;
  /** The account SCPs are attached to (the principal's). */
  principalAccount: string;
  rcps: readonly TIamPolicyDocument[];
  /** A resource policy allowing everyone, to model the cross-account/public path. */
  openResourcePolicy?: boolean;
  /**
   * The organization's real SCP layers, root first, each with every policy attached there (posture:
   * the customer's own policies, where a layer without an Allow denies implicitly). Replaces `scps`.
   */
  scpLevels?: ReadonlyArray<{ id: string; policies: ReadonlyArray<{ name: string; policy: TIamPolicyDocument }> }>;
  /** The same for RCPs along the resource account's path. Replaces `rcps`. */
  rcpLevels?: ReadonlyArray<{ id: string; policies: ReadonlyArray<{ name: string; policy: TIamPolicyDocument }> }>;
  /** S3 only: ABAC is enabled on the bucket, so AWS evaluates its tags (S3 ABAC docs). */
  bucketAbac?: boolean;
}

export interface TAwsSimResult {
  decision: "allowed" | "denied";
  /** The simulator's overall result: `Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`. */
  raw: string;
  /** Sids of the SCP/RCP statements that explicitly denied. */
  deniedBy: string[];
  /** Names of the SCPs/RCPs (as passed in the levels) whose statements explicitly denied. */
  deniedByPolicy: string[];
}

/** Thrown when the simulator refuses the request itself (unknown action, malformed ARN). */
export class AwsSimulationRejected extends Error {}

function deniedSids(r: RunSimulationResults): string[] {
  if (r.resultType === "error") return [];
  const analyses = r.resultType === "single" ? [r.result.analysis] : r.results.map((x) => x.analysis);
  const sids = new Set<string>();
  for (const a of analyses) {
    for (const ou of [...(a.scpAnalysis?.ouAnalysis ?? []), ...(a.rcpAnalysis?.ouAnalysis ?? [])]) {
      for (const s of ou.denyStatements) sids.add(s.statement.sid() ?? `${s.policyId}#${s.statement.index()}`);
    }
  }
  return [...sids].sort();
}

function deniedPolicyNames(r: RunSimulationResults): string[] {
  if (r.resultType === "error") return [];
  const analyses = r.resultType === "single" ? [r.result.analysis] : r.results.map((x) => x.analysis);
  const names = new Set<string>();
  for (const a of analyses)
    for (const ou of [...(a.scpAnalysis?.ouAnalysis ?? []), ...(a.rcpAnalysis?.ouAnalysis ?? [])])
      for (const s of ou.denyStatements) names.add(s.policyId);
  return [...names].sort();
}

export async function simulateAwsRequest(input: TAwsSimRequest): Promise<TAwsSimResult> {
  const simulation: Simulation = {
    request: {
      principal: input.principalArn,
      action: input.action,
      resource: { resource: input.resource, accountId: input.resourceAccount },
      contextVariables: input.context,
    },
    identityPolicies: [{ name: "allow-all", policy: FULL_ACCESS }],
    serviceControlPolicies: input.scpLevels
      ? input.scpLevels.map((l) => ({ orgIdentifier: l.id, policies: l.policies.map((p) => ({ name: p.name, policy: p.policy })) }))
      : input.scps === null
        ? [{ orgIdentifier: "r-other", policies: [{ name: "FullAWSAccess", policy: FULL_ACCESS }] }]
        : [
            { orgIdentifier: "r-root", policies: [{ name: "FullAWSAccess", policy: FULL_ACCESS }] },
            {
              orgIdentifier: input.principalAccount,
              policies: [
                { name: "FullAWSAccess", policy: FULL_ACCESS },
                ...input.scps.map((policy, i) => ({ name: `parapet-${i}`, policy })),
              ],
            },
          ],
    resourceControlPolicies: input.rcpLevels
      ? input.rcpLevels.map((l) => ({ orgIdentifier: l.id, policies: l.policies.map((p) => ({ name: p.name, policy: p.policy })) }))
      : input.rcps.length > 0
        ? [{ orgIdentifier: input.resourceAccount, policies: input.rcps.map((policy, i) => ({ name: `parapet-rcp-${i}`, policy })) }]
        : [],
    ...(input.openResourcePolicy
      ? {
          resourcePolicy: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: "*", Action: input.action, Resource: input.resource }],
          },
        }
      : {}),
    ...(input.bucketAbac ? { additionalSettings: { s3: { bucketAbacEnabled: true } } } : {}),
  };
  const r = await runSimulation(simulation, {});
  if (r.resultType === "error") throw new AwsSimulationRejected(`simulator rejected the request: ${JSON.stringify(r.errors)}`);
  return {
    decision: r.overallResult === "Allowed" ? "allowed" : "denied",
    raw: r.overallResult,
    deniedBy: deniedSids(r),
    deniedByPolicy: deniedPolicyNames(r),
  };
}
