import { mulberry32 } from "../common/rng.ts";
import type { AwsCredentialSpec, AwsRoleSpec } from "./iam.ts";
import type { OrgState, OuRec } from "./org-state.ts";
import type { AwsSimulator } from "./simulator.ts";

/** Shape of a generated organization. Seeding loads state directly: no events, no throttling. */
export interface AwsSeedOptions {
  /** Member accounts to create (the management account is extra). */
  accounts: number;
  ous: number;
  /** Deepest OU level to create, 1..5 (default 3). */
  depth?: number;
  /** Label accounts with env/owner/data tags (default true). */
  tags?: boolean;
  /** Customer SCPs to create and attach to OUs, taking slots as existing customer policies do (default 0). */
  customerScps?: number;
  /** Start from an empty organization first (default true). */
  reset?: boolean;
  /** Random seed for the shape and ids (default 1). */
  seed?: number;
}

export interface AwsSeedResult {
  orgId: string;
  rootId: string;
  managementAccountId: string;
  accounts: number;
  ous: number;
  policies: number;
}

/** The running simulator returned by startAwsSim, or its core. */
export type AwsSimTarget = AwsSimulator | { sim: AwsSimulator };

function core(t: AwsSimTarget): AwsSimulator {
  return "sim" in t ? t.sim : t;
}

const ENVS = ["prod", "nonprod", "sandbox"] as const;

function summary(st: OrgState): AwsSeedResult {
  let policies = 0;
  for (const p of st.policies.values()) if (!p.awsManaged) policies++;
  return {
    orgId: st.orgId,
    rootId: st.root.id,
    managementAccountId: st.managementAccountId,
    accounts: st.accounts.size,
    ous: st.ous.size,
    policies,
  };
}

/**
 * Generates an organization of any size: `ous` OUs spread over `depth` levels (wide near the root, like
 * real landing zones) and `accounts` accounts spread over them. 10,000 accounts and 2,000 OUs load in well
 * under a second because every insert is a map/set operation.
 */
export function seedAwsOrg(target: AwsSimTarget, opts: AwsSeedOptions): AwsSeedResult {
  const sim = core(target);
  const depth = Math.max(1, Math.min(opts.depth ?? 3, 5));
  const rand = mulberry32(opts.seed ?? 1);
  if (opts.reset ?? true) sim.resetOrganization({ seed: opts.seed ?? 1 });
  const st = sim.state;
  const wantOus = Math.max(0, Math.min(opts.ous, st.limits.ouMax - st.ous.size));
  if (opts.accounts + st.accounts.size > st.limits.accountsMax) st.limits = { ...st.limits, accountsMax: opts.accounts + st.accounts.size };

  const ous: OuRec[] = [];
  const expandable: OuRec[] = [];
  const topLevel = Math.min(wantOus, Math.max(1, Math.round(Math.sqrt(wantOus))));
  for (let i = 0; i < topLevel; i++) {
    const ou = st.createOu(st.root.id, `${ENVS[i % 3]}-ou-${i + 1}`);
    ous.push(ou);
    if (depth > 1) expandable.push(ou);
  }
  let n = topLevel;
  while (n < wantOus && expandable.length) {
    const idx = Math.floor(rand() * expandable.length);
    const parent = expandable[idx]!;
    const ou = st.createOu(parent.id, `${parent.name.split("-ou-")[0]}-ou-${n + 1}`);
    ous.push(ou);
    if (ou.depth < depth) expandable.push(ou);
    n++;
  }

  const tag = opts.tags ?? true;
  for (let i = 0; i < opts.accounts; i++) {
    const parent = ous.length ? ous[Math.floor(rand() * ous.length)]! : undefined;
    const env = parent ? parent.name.split("-ou-")[0]! : ENVS[i % 3]!;
    const label = `acct-${String(i + 1).padStart(5, "0")}`;
    const tags = new Map<string, string>();
    if (tag) {
      tags.set("env", env);
      tags.set("owner", `team-${(i % 50) + 1}`);
      if (env === "prod" && i % 7 === 0) tags.set("data", "regulated");
      if (i % 25 === 0) tags.set("agent", "true");
    }
    st.createAccount({ name: `${env}-${label}`, email: `aws+${label}@example.com`, parentId: parent?.id, tags });
  }

  const scps = opts.customerScps ?? 0;
  for (let i = 0; i < scps; i++) {
    const p = st.createPolicy({
      name: `customer-scp-${i + 1}`,
      description: "Pre-existing customer policy",
      type: "SERVICE_CONTROL_POLICY",
      content: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: `Deny${i + 1}`, Effect: "Deny", Action: [`ec2:DeleteVpc`, `s3:PutBucketPolicy`], Resource: "*" }],
      }),
      tags: new Map([["owner", "customer"]]),
    });
    const target = ous.length ? ous[i % ous.length]! : st.root;
    if (st.attachedCount(target, "SERVICE_CONTROL_POLICY") < st.limits.scpPerTarget) st.attachPolicy(p.id, target.id);
  }
  sim.changed();
  return summary(st);
}

/** Fixed identities of the demo organization, so the demo workspace can be wired to them. */
export const AWS_DEMO = {
  managementAccountId: "111122223333",
  /** Long-term key of the bootstrap IAM user in the management account (all Organizations actions). */
  credentials: {
    accessKeyId: "AKIAPARAPETDEMO00001",
    secretAccessKey: "parapetDemoSecretKey/NotARealAwsSecret0001",
    userName: "parapet-bootstrap",
  },
  /** The role Parapet's connection assumes, with the external id the onboarding wizard generated. */
  role: {
    arn: "arn:aws:iam::111122223333:role/ParapetConnector",
    externalId: "parapet-demo-7f3c9a2e",
  },
  /** A read-only role for least-privilege probes (cannot write). */
  readOnlyRole: {
    arn: "arn:aws:iam::111122223333:role/ParapetReadOnly",
    externalId: "parapet-demo-7f3c9a2e",
  },
} as const;

/** What Parapet's connector needs: reads, policy lifecycle, attachments and tags; no account or OU management. */
const PARAPET_CONNECTOR_ACTIONS = [
  "DescribeOrganization",
  "ListRoots",
  "ListOrganizationalUnitsForParent",
  "ListAccountsForParent",
  "ListAccounts",
  "ListChildren",
  "ListParents",
  "DescribeAccount",
  "DescribeOrganizationalUnit",
  "DescribePolicy",
  "ListPolicies",
  "ListPoliciesForTarget",
  "ListTargetsForPolicy",
  "ListTagsForResource",
  "CreatePolicy",
  "UpdatePolicy",
  "DeletePolicy",
  "AttachPolicy",
  "DetachPolicy",
  "TagResource",
  "UntagResource",
  // Impact replay reads the management account's CloudTrail event history.
  "cloudtrail:LookupEvents",
  // …and, where the organization trail's bucket grants it, the trail's log files (data events).
  "s3:ListBucket",
  "s3:GetObject",
  // …and, where the connection names an AWS Config aggregator, member accounts' IAM principal tags.
  "config:SelectAggregateResourceConfig",
];

const READ_ONLY_ACTIONS = PARAPET_CONNECTOR_ACTIONS.filter((a) => /^(Describe|List)/.test(a));

export interface AwsDemoResult extends AwsSeedResult {
  ous: number;
  ouIds: Record<string, string>;
  accountIds: Record<string, string>;
  policyIds: Record<string, string>;
  credentials: AwsCredentialSpec;
  roles: AwsRoleSpec[];
}

const DENY_LEAVE_ORG = {
  Version: "2012-10-17",
  Statement: [{ Sid: "DenyLeaveOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" }],
};

const REGION_RESTRICTION = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "DenyOutsideApprovedRegions",
      Effect: "Deny",
      NotAction: [
        "a4b:*",
        "acm:*",
        "aws-marketplace-management:*",
        "aws-marketplace:*",
        "budgets:*",
        "ce:*",
        "chime:*",
        "cloudfront:*",
        "config:*",
        "cur:*",
        "directconnect:*",
        "ec2:DescribeRegions",
        "ec2:DescribeTransitGateways",
        "ec2:DescribeVpnGateways",
        "fms:*",
        "globalaccelerator:*",
        "health:*",
        "iam:*",
        "importexport:*",
        "kms:*",
        "mobileanalytics:*",
        "networkmanager:*",
        "organizations:*",
        "pricing:*",
        "route53:*",
        "route53domains:*",
        "s3:GetAccountPublic*",
        "s3:ListAllMyBuckets",
        "s3:PutAccountPublic*",
        "shield:*",
        "sts:*",
        "support:*",
        "trustedadvisor:*",
        "waf-regional:*",
        "waf:*",
        "wafv2:*",
        "wellarchitected:*",
      ],
      Resource: "*",
      Condition: { StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "us-west-2", "eu-west-1"] } },
    },
  ],
};

const CONTROL_TOWER_GUARDRAILS = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "GRCLOUDTRAILENABLED",
      Effect: "Deny",
      Action: ["cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail"],
      Resource: ["arn:aws:cloudtrail:*:*:trail/aws-controltower-*"],
      Condition: { ArnNotLike: { "aws:PrincipalARN": "arn:aws:iam::*:role/AWSControlTowerExecution" } },
    },
    {
      Sid: "GRCONFIGENABLED",
      Effect: "Deny",
      Action: ["config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel", "config:StopConfigurationRecorder"],
      Resource: ["*"],
      Condition: { ArnNotLike: { "aws:PrincipalARN": "arn:aws:iam::*:role/AWSControlTowerExecution" } },
    },
    {
      Sid: "GRAUDITBUCKETDELETIONPROHIBITED",
      Effect: "Deny",
      Action: ["s3:DeleteBucket"],
      Resource: ["arn:aws:s3:::aws-controltower*"],
      Condition: { ArnNotLike: { "aws:PrincipalARN": "arn:aws:iam::*:role/AWSControlTowerExecution" } },
    },
  ],
};

const LZA_GUARDRAILS_1 = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "CloudTrail",
      Effect: "Deny",
      Action: ["cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail"],
      Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/AWSAccelerator*", "arn:aws:iam::*:role/cdk-accel*"] } },
    },
    {
      Sid: "Config",
      Effect: "Deny",
      Action: ["config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel", "config:StopConfigurationRecorder"],
      Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/AWSAccelerator*", "arn:aws:iam::*:role/cdk-accel*"] } },
    },
  ],
};

const DENY_ROOT_USER = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "DenyRootUser",
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { StringLike: { "aws:PrincipalArn": ["arn:aws:iam::*:root"] } },
    },
  ],
};

const SANDBOX_COST = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "DenyLargeInstances",
      Effect: "Deny",
      Action: "ec2:RunInstances",
      Resource: "arn:aws:ec2:*:*:instance/*",
      Condition: { "ForAnyValue:StringNotLike": { "ec2:InstanceType": ["t3.*", "t4g.*", "m7g.large"] } },
    },
  ],
};

const RCP_SECURE_TRANSPORT = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "EnforceSecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"],
      Resource: "*",
      Condition: { BoolIfExists: { "aws:SecureTransport": "false" } },
    },
  ],
};

/**
 * The demo organization: Security, Infrastructure, Workloads/Prod, Workloads/NonProd, Sandbox and AI-Agents
 * OUs with ~40 named, tagged accounts, customer SCPs (leave-org, region restriction, root-user deny,
 * sandbox cost) and a Control Tower `aws-guardrails-*` policy already attached and taking slots, one
 * customer RCP, the bootstrap key and the ParapetConnector role. Ids are stable across runs.
 */
export function seedAwsDemo(target: AwsSimTarget): AwsDemoResult {
  const sim = core(target);
  sim.resetOrganization({ managementAccountId: AWS_DEMO.managementAccountId, seed: 2026 });
  const st = sim.state;
  const mgmt = st.accounts.get(st.managementAccountId)!;
  mgmt.name = "Management";
  mgmt.email = "aws-root@acme-corp.example";
  mgmt.tags = new Map([
    ["env", "prod"],
    ["owner", "cloud-platform"],
  ]);

  const ouIds: Record<string, string> = {};
  const mk = (path: string, parentPath?: string) => {
    const name = path.split("/").pop()!;
    const ou = st.createOu(parentPath ? ouIds[parentPath]! : st.root.id, name);
    ouIds[path] = ou.id;
    return ou.id;
  };
  mk("Security");
  mk("Infrastructure");
  mk("Workloads");
  mk("Workloads/Prod", "Workloads");
  mk("Workloads/NonProd", "Workloads");
  mk("Sandbox");
  mk("AI-Agents");

  const accountIds: Record<string, string> = { Management: st.managementAccountId };
  const acct = (ouPath: string, name: string, tags: Record<string, string>) => {
    const a = st.createAccount({
      name,
      email: `aws+${name}@acme-corp.example`,
      parentId: ouIds[ouPath],
      tags: new Map(Object.entries(tags)),
    });
    accountIds[name] = a.id;
  };
  const sec = { env: "prod", owner: "security" };
  acct("Security", "log-archive", { ...sec, data: "regulated" });
  acct("Security", "audit", sec);
  acct("Security", "security-tooling", sec);
  acct("Security", "incident-response", sec);
  const infra = { env: "prod", owner: "cloud-platform" };
  acct("Infrastructure", "network-hub", infra);
  acct("Infrastructure", "shared-services", infra);
  acct("Infrastructure", "identity", infra);
  acct("Infrastructure", "cicd", infra);
  acct("Infrastructure", "backup-vault", { ...infra, data: "regulated" });
  const prod: Array<[string, string, boolean]> = [
    ["payments", "payments-team", true],
    ["orders", "commerce-team", false],
    ["customer-data", "data-team", true],
    ["analytics", "data-team", false],
    ["web", "web-team", false],
    ["mobile-api", "mobile-team", false],
    ["search", "search-team", false],
    ["billing", "payments-team", true],
    ["data-lake", "data-team", true],
    ["ml-platform", "ml-team", false],
  ];
  for (const [n, owner, regulated] of prod) {
    acct("Workloads/Prod", `${n}-prod`, { env: "prod", owner, ...(regulated ? { data: "regulated" } : {}), "cost-center": `cc-${owner}` });
  }
  for (const [n, owner] of prod.slice(0, 8)) {
    acct("Workloads/NonProd", `${n}-staging`, { env: "nonprod", owner, "cost-center": `cc-${owner}` });
  }
  acct("Workloads/NonProd", "integration-test", { env: "nonprod", owner: "qa-team" });
  acct("Workloads/NonProd", "load-test", { env: "nonprod", owner: "qa-team" });
  for (const person of ["alice", "bob", "carol", "dan", "erin", "frank"]) {
    acct("Sandbox", `sandbox-${person}`, { env: "sandbox", owner: person });
  }
  const agents: Array<[string, string]> = [
    ["agent-runtime-prod", "prod"],
    ["agent-runtime-dev", "nonprod"],
    ["agent-eval", "nonprod"],
    ["support-copilot-prod", "prod"],
    ["coding-agents", "sandbox"],
  ];
  for (const [n, env] of agents) acct("AI-Agents", n, { env, owner: "ai-platform", agent: "true" });

  const policyIds: Record<string, string> = {};
  const pol = (
    name: string,
    description: string,
    doc: unknown,
    targets: string[],
    tags: Record<string, string>,
    type: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY" = "SERVICE_CONTROL_POLICY",
  ) => {
    const p = st.createPolicy({ name, description, type, content: JSON.stringify(doc), tags: new Map(Object.entries(tags)) });
    policyIds[name] = p.id;
    for (const t of targets) st.attachPolicy(p.id, t);
  };
  pol("DenyLeaveOrganization", "Member accounts cannot leave the organization", DENY_LEAVE_ORG, [st.root.id], { owner: "cloud-platform" });
  pol("RegionRestriction-US-EU", "Only us-east-1, us-west-2 and eu-west-1", REGION_RESTRICTION, [ouIds.Workloads!, ouIds.Sandbox!], {
    owner: "cloud-platform",
  });
  pol(
    "aws-guardrails-kQeXbtPz",
    "",
    CONTROL_TOWER_GUARDRAILS,
    [ouIds.Security!, ouIds.Infrastructure!, ouIds.Workloads!, ouIds.Sandbox!, ouIds["AI-Agents"]!],
    { "aws-control-tower": "managed-by-control-tower" },
  );
  pol("DenyRootUser", "No root user activity in production", DENY_ROOT_USER, [ouIds["Workloads/Prod"]!, ouIds.Security!], {
    owner: "security",
  });
  // Landing Zone Accelerator's first guardrails SCP (aws-samples/landing-zone-accelerator-on-aws,
  // reference/sample-configurations/lza-sample-config/service-control-policies/guardrails-1.json, abridged):
  // the logging and configuration services stay on, except for the accelerator's own roles.
  pol(
    "AcceleratorGuardrails1",
    "Landing Zone Accelerator guardrails (part 1)",
    LZA_GUARDRAILS_1,
    [ouIds.Security!, ouIds.Infrastructure!],
    {
      Accelerator: "AWSAccelerator",
    },
  );
  pol("SandboxCostControls", "Small instance types only", SANDBOX_COST, [ouIds.Sandbox!], { owner: "finops" });
  pol(
    "EnforceSecureTransport",
    "Deny non-TLS access to data services",
    RCP_SECURE_TRANSPORT,
    [st.root.id],
    { owner: "security" },
    "RESOURCE_CONTROL_POLICY",
  );

  sim.iam.addCredential({ ...AWS_DEMO.credentials, accountId: AWS_DEMO.managementAccountId });
  const roles: AwsRoleSpec[] = [
    { arn: AWS_DEMO.role.arn, externalId: AWS_DEMO.role.externalId, allowedActions: PARAPET_CONNECTOR_ACTIONS, maxSessionSeconds: 3600 },
    {
      arn: AWS_DEMO.readOnlyRole.arn,
      externalId: AWS_DEMO.readOnlyRole.externalId,
      allowedActions: READ_ONLY_ACTIONS,
      maxSessionSeconds: 3600,
    },
  ];
  for (const r of roles) sim.iam.addRole(r);
  sim.changed();
  return {
    ...summary(st),
    ouIds,
    accountIds,
    policyIds,
    credentials: { ...AWS_DEMO.credentials, accountId: AWS_DEMO.managementAccountId },
    roles,
  };
}
