/**
 * Least privilege for Parapet's AWS connector role, in IAM terms. This is exactly the set of
 * Organizations actions the adapter calls (verify probes each one); the wizard renders it as the
 * connector role's policy in the CloudFormation/Terraform bootstrap.
 *
 * Not in the list on purpose: account and OU management (CreateAccount, MoveAccount, OU writes),
 * EnablePolicyType/DisablePolicyType (turning a policy type on or off is the customer's decision, and
 * disabling detaches every policy of that type), and UntagResource (Parapet never removes tags).
 */
export interface AwsPermission {
  /** IAM action, e.g. `organizations:ListTargetsForPolicy`. */
  permission: string;
  access: "read" | "write";
  /** Adapter methods that call it. */
  usedBy: Array<"verify" | "discover" | "observe" | "apply">;
  why: string;
}

export const minimumPermissions: readonly AwsPermission[] = [
  {
    permission: "organizations:DescribeOrganization",
    access: "read",
    usedBy: ["verify"],
    why: "confirm the connection points at the expected organization and management account",
  },
  {
    permission: "organizations:ListRoots",
    access: "read",
    usedBy: ["verify", "discover"],
    why: "find the root and which policy types (SCP, RCP) are enabled",
  },
  { permission: "organizations:ListOrganizationalUnitsForParent", access: "read", usedBy: ["discover"], why: "walk the OU tree" },
  {
    permission: "organizations:ListAccounts",
    access: "read",
    usedBy: ["discover"],
    why: "list every account with its path in one paged scan",
  },
  {
    permission: "organizations:ListAccountsForParent",
    access: "read",
    usedBy: ["discover"],
    why: "place accounts under their OU when the account listing carries no path",
  },
  {
    permission: "organizations:DescribeAccount",
    access: "read",
    usedBy: ["discover"],
    why: "read one account named by a cloud event (name, status, place) instead of re-reading the whole organization",
  },
  {
    permission: "organizations:DescribeOrganizationalUnit",
    access: "read",
    usedBy: ["discover"],
    why: "read one OU named by a cloud event instead of re-reading the whole organization",
  },
  {
    permission: "organizations:ListParents",
    access: "read",
    usedBy: ["discover"],
    why: "find where an OU (or an account whose description carries no path) sits, after a cloud event",
  },
  {
    permission: "organizations:ListTagsForResource",
    access: "read",
    usedBy: ["discover", "observe", "apply"],
    why: "read account/OU tags as labels, and the parapet:managed ownership tag of policies before changing them",
  },
  {
    permission: "organizations:ListPolicies",
    access: "read",
    usedBy: ["observe", "apply"],
    why: "find Parapet's policies by name (one paged list per policy type)",
  },
  {
    permission: "organizations:DescribePolicy",
    access: "read",
    usedBy: ["observe", "apply"],
    why: "read the content of Parapet's policies to detect edits",
  },
  {
    permission: "organizations:ListTargetsForPolicy",
    access: "read",
    usedBy: ["observe", "apply"],
    why: "see where Parapet's policies are attached (one call per policy, not per account)",
  },
  {
    permission: "organizations:ListPoliciesForTarget",
    access: "read",
    usedBy: ["observe"],
    why: "count the SCP/RCP slots other tools use on the targets Parapet attaches to",
  },
  {
    permission: "organizations:CreatePolicy",
    access: "write",
    usedBy: ["apply"],
    why: "create guardrail SCPs/RCPs (tagged parapet:managed)",
  },
  {
    permission: "organizations:TagResource",
    access: "write",
    usedBy: ["apply"],
    why: "CreatePolicy with tags requires it: the ownership tag is written at creation",
  },
  {
    permission: "organizations:UpdatePolicy",
    access: "write",
    usedBy: ["apply"],
    why: "repair or change Parapet's own policies (only when tagged for this workspace)",
  },
  { permission: "organizations:AttachPolicy", access: "write", usedBy: ["apply"], why: "attach guardrails to the root, OUs and accounts" },
  {
    permission: "organizations:DetachPolicy",
    access: "write",
    usedBy: ["apply"],
    why: "remove Parapet's policies from targets they no longer apply to, and a customer policy whose adoption two members approved",
  },
  {
    permission: "organizations:DeletePolicy",
    access: "write",
    usedBy: ["apply"],
    why: "delete Parapet's policies that no guardrail needs any more",
  },
];

/**
 * Read access to the audit log for impact replay ("would this guardrail have denied it?"). Kept apart
 * from the Organizations set above, which verify probes action by action: impact is optional, and a
 * connection without it keeps working (replay then says it cannot read the log).
 */
export const auditPermissions: readonly { permission: string; access: "read"; usedBy: ["impact"]; why: string }[] = [
  {
    permission: "cloudtrail:LookupEvents",
    access: "read",
    usedBy: ["impact"],
    why: "read the management account's 90-day CloudTrail event history to replay against a guardrail before enforcing it",
  },
];

/** Organizations action names without the service prefix (as the API operations are named). */
export function minimumActionNames(): string[] {
  return minimumPermissions.map((p) => p.permission.replace(/^organizations:/, ""));
}

/**
 * With an organization trail (adapter `orgTrail`), impact replay reads its log files: list the bucket and
 * read its objects, on that bucket only. The bucket usually lives in a log-archive account, so its bucket
 * policy must grant the connector role the same two actions.
 */
const orgTrailPermissions: readonly string[] = ["s3:ListBucket", "s3:GetObject"];

/**
 * With an AWS Config aggregator (adapter `configAggregator`), impact replay reads member accounts' IAM tags
 * with one advanced query. The action's resource is the aggregator (Service Authorization Reference, AWS
 * Config: SelectAggregateResourceConfig → ConfigurationAggregator,
 * arn:${Partition}:config:${Region}:${Account}:config-aggregator/${AggregatorId}); its id is random, so the
 * statement names the Region and leaves the id open.
 */
const configAggregatorPermissions: readonly string[] = ["config:SelectAggregateResourceConfig"];

/** The connector role's identity policy (JSON) as the bootstrap template embeds it. */
export function awsConnectorPolicyDocument(
  orgTrailBucket?: string,
  configAggregatorRegion?: string,
): { Version: "2012-10-17"; Statement: Array<Record<string, unknown>> } {
  const actions = (access: "read" | "write") => minimumPermissions.filter((p) => p.access === access).map((p) => p.permission);
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ParapetRead", Effect: "Allow", Action: actions("read"), Resource: "*" },
      { Sid: "ParapetWritePolicies", Effect: "Allow", Action: actions("write"), Resource: "*" },
      // LookupEvents supports no resource-level permissions (Service Authorization Reference, AWS CloudTrail).
      { Sid: "ParapetReadAuditLog", Effect: "Allow", Action: auditPermissions.map((p) => p.permission), Resource: "*" },
      ...(orgTrailBucket
        ? [
            {
              Sid: "ParapetReadOrgTrail",
              Effect: "Allow",
              Action: [...orgTrailPermissions],
              Resource: [`arn:aws:s3:::${orgTrailBucket}`, `arn:aws:s3:::${orgTrailBucket}/*`],
            },
          ]
        : []),
      ...(configAggregatorRegion
        ? [
            {
              Sid: "ParapetReadPrincipalTags",
              Effect: "Allow",
              Action: [...configAggregatorPermissions],
              Resource: `arn:aws:config:${configAggregatorRegion}:*:config-aggregator/*`,
            },
          ]
        : []),
    ],
  };
}

/** The connector role's trust policy: only Parapet's worker identity, only with the external id. */
export function awsConnectorTrustPolicy(parapetPrincipalArn: string, externalId: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: parapetPrincipalArn },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": externalId } },
      },
    ],
  };
}
