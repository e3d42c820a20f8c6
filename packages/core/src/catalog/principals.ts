import { z } from "zod";

/**
 * Principal classes: the kinds of identity controls speak about (`agents`, `mcpServers`,
 * `nonProd`) and the two every deny must spare (`connector`, `breakGlass`), defined once per
 * connection in the cloud's own terms. Defaults are the names Parapet's onboarding creates;
 * where a cloud has no guessable default (GCP service accounts live in a customer project) the
 * connector is required, so a missing definition is an error rather than a lock-out.
 */

const ZArnPattern = z
  .string()
  .max(256)
  .regex(
    /^arn:aws[a-z-]*:(iam|sts)::(\*|\d{12}):[A-Za-z0-9+=,.@_/*?-]+$/,
    "must be an IAM/STS ARN pattern such as arn:aws:iam::*:role/Name*",
  );

const ZTagKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{N} _.:/=+\-@]+$/u, "invalid AWS tag key");
const ZTagValue = z
  .string()
  .max(256)
  .regex(/^[\p{L}\p{N} _.:/=+\-@]*$/u, "invalid AWS tag value");

/** An AWS principal selector: a principal tag and/or role ARN patterns (either matches). */
const ZAwsPrincipalSelector = z
  .object({
    tag: z.object({ key: ZTagKey, value: ZTagValue }).strict().optional(),
    roleArnPatterns: z.array(ZArnPattern).max(20).default([]),
  })
  .strict();
export type TAwsPrincipalSelector = z.output<typeof ZAwsPrincipalSelector>;

/**
 * Agent-like classes also match every request AWS marks as made through its MCP server
 * (`aws:ViaAWSMCPService`, a global request key): such a call is an agent's, whoever's credentials it
 * carries. On by default; `false` limits the class to its tag and ARN patterns.
 */
const ZAwsAgentSelector = ZAwsPrincipalSelector.extend({ viaAwsMcp: z.boolean().default(true) }).strict();

/**
 * Break-glass and connector are spared by role ARN only: a principal tag can be set by whoever may tag
 * the role, and in RCPs by any outside account, so it is no basis for an exemption from every deny.
 */
const ZAwsExempt = z.object({ roleArnPatterns: z.array(ZArnPattern).min(1).max(20) }).strict();

export const ZAwsPrincipalClasses = z
  .object({
    agents: ZAwsAgentSelector.default({ tag: { key: "agent", value: "true" }, roleArnPatterns: [], viaAwsMcp: true }),
    mcpServers: ZAwsAgentSelector.default({ tag: { key: "mcp-server", value: "true" }, roleArnPatterns: [], viaAwsMcp: true }),
    nonProd: ZAwsPrincipalSelector.default({ tag: { key: "env", value: "nonprod" }, roleArnPatterns: [] }),
    /**
     * Administrators: a principal tag (e.g. `team=admin`, evaluated by AWS as `aws:PrincipalTag/team`)
     * and/or role ARN patterns. Controls that let admins do what others may not (attach admin policies,
     * change guarded tags) spare them in their SCPs; protect-guardrail-labels guards the tag key.
     */
    admins: ZAwsPrincipalSelector.default({ roleArnPatterns: [] }),
    breakGlass: ZAwsExempt.default({ roleArnPatterns: ["arn:aws:iam::*:role/BreakGlass*"] }),
    connector: ZAwsExempt.default({ roleArnPatterns: ["arn:aws:iam::*:role/ParapetConnector"] }),
  })
  .strict();
export type TAwsPrincipalClasses = z.output<typeof ZAwsPrincipalClasses>;

const ZUuid = z
  .string()
  .max(36)
  .regex(/^[0-9a-fA-F-]{36}$/, "must be an Entra object/application id (GUID)");
const ZAzurePrincipalRef = z
  .object({
    groupObjectIds: z.array(ZUuid).max(50).default([]),
    appIds: z.array(ZUuid).max(50).default([]),
  })
  .strict();
const azureEmpty = { groupObjectIds: [], appIds: [] };

/** Azure Policy cannot condition on the caller; these ids only feed RBAC-side reports and gap sentences. */
const ZAzurePrincipalClasses = z
  .object({
    agents: ZAzurePrincipalRef.default(azureEmpty),
    mcpServers: ZAzurePrincipalRef.default(azureEmpty),
    nonProd: ZAzurePrincipalRef.default(azureEmpty),
    breakGlass: ZAzurePrincipalRef.default(azureEmpty),
    connector: ZAzurePrincipalRef.default(azureEmpty),
  })
  .strict();
type TAzurePrincipalClasses = z.output<typeof ZAzurePrincipalClasses>;

/** IAM v2 principal identifiers as deny policies accept them. */
const ZGcpPrincipalId = z
  .string()
  .max(512)
  .regex(
    /^(principal:\/\/(iam\.googleapis\.com|goog)\/[A-Za-z0-9@._/:-]+|principalSet:\/\/(goog|iam\.googleapis\.com|cloudresourcemanager\.googleapis\.com)\/[A-Za-z0-9@._/:-]+)$/,
    "must be an IAM v2 principal identifier, e.g. principal://iam.googleapis.com/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com or principalSet://goog/group/g@example.com",
  );
const ZGcpSet = z.array(ZGcpPrincipalId).max(50);

const ZGcpPrincipalClasses = z
  .object({
    agents: ZGcpSet.default([]),
    mcpServers: ZGcpSet.default([]),
    nonProd: ZGcpSet.default([]),
    breakGlass: ZGcpSet.default([]),
    connector: ZGcpSet.min(1, "the connector's service account is required: every deny must except it"),
  })
  .strict();
type TGcpPrincipalClasses = z.output<typeof ZGcpPrincipalClasses>;

const ZOciName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^([A-Za-z0-9_.-]+\/)?[A-Za-z0-9_.-]+$/, "must be a group name, optionally prefixed by its identity domain");
const ZOcid = (kind: string, label: string) =>
  z
    .string()
    .max(256)
    .regex(new RegExp(`^ocid1\\.${kind}\\.[a-z0-9]+\\.[a-z0-9-]*\\.[a-z0-9]+$`), `must be a ${label} OCID`);
/**
 * Names are enough to make a class the subject of a statement; OCIDs are needed to except a
 * principal inside a `where` clause (`request.groups.id`, `request.principal.id`).
 */
const ZOciPrincipalRef = z
  .object({
    groups: z.array(ZOciName).max(20).default([]),
    dynamicGroups: z.array(ZOciName).max(20).default([]),
    groupIds: z.array(ZOcid("group", "group")).max(20).default([]),
    principalIds: z.array(ZOcid("(user|instance|resource)", "user or instance")).max(20).default([]),
  })
  .strict();
export type TOciPrincipalRef = z.output<typeof ZOciPrincipalRef>;

const ZOciPrincipalClasses = z
  .object({
    agents: ZOciPrincipalRef.default({ groups: [], dynamicGroups: ["parapet-agents"], groupIds: [], principalIds: [] }),
    mcpServers: ZOciPrincipalRef.default({ groups: [], dynamicGroups: ["parapet-mcp-servers"], groupIds: [], principalIds: [] }),
    nonProd: ZOciPrincipalRef.default({ groups: ["NonProd"], dynamicGroups: [], groupIds: [], principalIds: [] }),
    breakGlass: ZOciPrincipalRef.default({ groups: ["BreakGlass"], dynamicGroups: [], groupIds: [], principalIds: [] }),
    connector: ZOciPrincipalRef.default({ groups: ["ParapetConnector"], dynamicGroups: [], groupIds: [], principalIds: [] }),
  })
  .strict();
type TOciPrincipalClasses = z.output<typeof ZOciPrincipalClasses>;

export const ZPrincipalClasses = {
  aws: ZAwsPrincipalClasses,
  azure: ZAzurePrincipalClasses,
  gcp: ZGcpPrincipalClasses,
  oci: ZOciPrincipalClasses,
} as const;

export interface TPrincipalClassesByCloud {
  aws: TAwsPrincipalClasses;
  azure: TAzurePrincipalClasses;
  gcp: TGcpPrincipalClasses;
  oci: TOciPrincipalClasses;
}

const ZAwsFacts = z
  .object({
    orgId: z.string().regex(/^o-[a-z0-9]{10,32}$/, "must be an organization id like o-abc123def4"),
    managementAccountId: z.string().regex(/^\d{12}$/, "must be a 12-digit account id"),
  })
  .strict();
const ZAzureFacts = z
  .object({
    tenantId: ZUuid,
    rootManagementGroupId: z.string().min(1).max(90),
  })
  .strict();
const ZGcpFacts = z
  .object({
    organizationId: z.string().regex(/^\d{1,20}$/, "must be the numeric organization id"),
    /** The organization's Cloud Identity / Workspace customer id (`owner.directoryCustomerId`). */
    directoryCustomerId: z.string().regex(/^C[0-9a-z]{5,20}$/, "must be a Cloud Identity customer id like C03xxxx"),
  })
  .strict();
const ZOciFacts = z
  .object({
    tenancyOcid: z
      .string()
      .max(256)
      .regex(/^ocid1\.tenancy\.[a-z0-9]+\.\.[a-z0-9]+$/, "must be a tenancy OCID"),
  })
  .strict();

export const ZConnectionFacts = { aws: ZAwsFacts, azure: ZAzureFacts, gcp: ZGcpFacts, oci: ZOciFacts } as const;
export interface TConnectionFactsByCloud {
  aws: z.output<typeof ZAwsFacts>;
  azure: z.output<typeof ZAzureFacts>;
  gcp: z.output<typeof ZGcpFacts>;
  oci: z.output<typeof ZOciFacts>;
}
