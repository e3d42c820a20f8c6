import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sar, sarForActions } from "../compilers/aws-sources.ts";
import { AZURE_DATA_TYPES, azureDenyDelete, azureFragment } from "../compilers/azure.ts";
import { gcpDenyRule, gcpFragment } from "../compilers/gcp.ts";
import { OCI_DENY_SOURCES, OCI_SOURCES, ociDeny, ociFragment } from "../compilers/oci.ts";
import { aws, azureRequest, GCP_RES, gcpRequest, oci, ociAdminsExempt, ociDynamicGroupDenies } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

/** From the AWS Service Authorization Reference: calls that destroy data, backups or keys. */
const AGENT_DESTRUCTIVE_AWS_ACTIONS = [
  "backup:DeleteBackupVault",
  "backup:DeleteRecoveryPoint",
  "dynamodb:DeleteBackup",
  "dynamodb:DeleteTable",
  "ec2:DeleteSnapshot",
  "ec2:DeleteVolume",
  "elasticfilesystem:DeleteFileSystem",
  "es:DeleteDomain",
  "fsx:DeleteBackup",
  "fsx:DeleteFileSystem",
  "glacier:DeleteArchive",
  "glacier:DeleteVault",
  "kms:DisableKey",
  "kms:ScheduleKeyDeletion",
  "rds:DeleteDBCluster",
  "rds:DeleteDBClusterSnapshot",
  "rds:DeleteDBInstance",
  "rds:DeleteDBSnapshot",
  "rds:DeleteGlobalCluster",
  "redshift:DeleteCluster",
  "s3:DeleteBucket",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:PutLifecycleConfiguration",
  "secretsmanager:DeleteSecret",
];

/** IAM v2 (deny-policy) permission names of the equivalent GCP operations. */
const AGENT_DESTRUCTIVE_GCP_PERMISSIONS = [
  "bigquery.googleapis.com/datasets.delete",
  "bigquery.googleapis.com/tables.delete",
  "cloudkms.googleapis.com/cryptoKeyVersions.destroy",
  "cloudresourcemanager.googleapis.com/projects.delete",
  "cloudsql.googleapis.com/backupRuns.delete",
  "cloudsql.googleapis.com/instances.delete",
  "compute.googleapis.com/disks.delete",
  "compute.googleapis.com/snapshots.delete",
  "secretmanager.googleapis.com/secrets.delete",
  "storage.googleapis.com/buckets.delete",
  "storage.googleapis.com/objects.delete",
];

/** OCI resource-type → delete permissions (OCI policy reference). */
const AGENT_DESTRUCTIVE_OCI: Record<string, string[]> = {
  "object-family": ["BUCKET_DELETE", "OBJECT_DELETE"],
  "volume-family": ["BOOT_VOLUME_BACKUP_DELETE", "VOLUME_BACKUP_DELETE", "VOLUME_DELETE"],
  "database-family": ["DB_BACKUP_DELETE", "DB_SYSTEM_DELETE"],
  "autonomous-database-family": ["AUTONOMOUS_DATABASE_DELETE"],
  keys: ["KEY_DELETE"],
};

const ZAction = z
  .string()
  .max(128)
  .regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/, "must be an IAM action like s3:DeleteObject");
const ZGcpPerm = z
  .string()
  .max(160)
  .regex(/^[a-z0-9.-]+\.googleapis\.com\/[A-Za-z0-9.*]+$/, "must be a v2 permission like storage.googleapis.com/objects.delete");
const ZArn = z
  .string()
  .max(256)
  .regex(/^arn:aws[a-z-]*:iam::(\*|\d{12}):role\/[A-Za-z0-9+=,.@_/*-]+$/, "must be a role ARN pattern");

const params = z
  .object({
    /** Actions to deny on top of the built-in list. */
    additionalAwsActions: z.array(ZAction).max(100).default([]),
    additionalGcpPermissions: z.array(ZGcpPerm).max(100).default([]),
    /** Stop principals from changing the agent tag (else an agent could untag itself). */
    protectAgentTag: z.boolean().default(true),
    /** Roles besides connector and break-glass allowed to set or remove the agent tag. */
    tagAdminRoleArnPatterns: z.array(ZArn).max(20).default([]),
  })
  .strict();

const S3_OBJECT = "arn:aws:s3:::prod-data/report.csv";

export const agentNoDestructiveActions = defineControl({
  id: "agent-no-destructive-actions",
  title: "AI agents cannot destroy production data",
  rationale:
    "AI agents act fast and at machine scale; one wrong tool call can erase a database, its backups and the keys that decrypt them. This control makes deleting production data, backups and keys unavailable to any identity marked as an agent, while people and Parapet's own repair role keep working normally.",
  category: "identity",
  params,
  frameworks: [
    { framework: "NIST 800-53 r5", ref: "AC-6" },
    { framework: "NIST 800-53 r5", ref: "AC-3" },
    { framework: "NIST 800-53 r5", ref: "CP-9" },
  ],
  clouds: {
    aws: {
      fidelity: "enforced",
      sources: [
        ...sarForActions(AGENT_DESTRUCTIVE_AWS_ACTIONS, "the actions that delete data, backups and keys"),
        sar("iam", "TagRole, TagUser, UntagRole and UntagUser expose aws:TagKeys"),
        sar("sts", "TagSession exposes aws:TagKeys and aws:RequestTag"),
        AWS_DOCS.globalKeys,
        AWS_DOCS.sessionTags,
        AWS_DOCS.mcp,
        AWS_DOCS.scps,
        AWS_DOCS.scpSyntax,
      ],
      compile(p, ctx) {
        const agents = ctx.principals.agents;
        const statements = awsDeny(ctx, {
          purpose: "AgentDestroy",
          policyType: "SCP",
          actions: [...new Set([...AGENT_DESTRUCTIVE_AWS_ACTIONS, ...p.additionalAwsActions])].sort(),
          subject: agents,
        });
        if (p.protectAgentTag && agents.tag) {
          const key = agents.tag.key;
          statements.push(
            ...awsDeny(ctx, {
              purpose: "AgentTagLock",
              policyType: "SCP",
              actions: ["iam:TagRole", "iam:TagUser", "iam:UntagRole", "iam:UntagUser"],
              condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": [key] } },
              alsoExempt: p.tagAdminRoleArnPatterns,
              spareAdmins: true,
            }),
            // Session tags override principal tags: an agent must not assume a role with agent=false.
            ...awsDeny(ctx, {
              purpose: "AgentSessionTag",
              policyType: "SCP",
              actions: ["sts:TagSession"],
              condition: {
                "ForAnyValue:StringEquals": { "aws:TagKeys": [key] },
                StringNotEquals: { [`aws:RequestTag/${key}`]: agents.tag.value },
              },
              alsoExempt: p.tagAdminRoleArnPatterns,
              spareAdmins: true,
            }),
          );
        }
        return awsFragment(ctx, statements);
      },
    },
    azure: {
      fidelity: "partial",
      gap: "Azure Policy cannot see who is calling, so the delete block (denyAction) applies to every identity on the protected resource types, not only agents, and data-plane deletes such as individual blobs or rows are not covered.",
      sources: [
        "Azure Policy denyAction effect (DELETE only; cascadeBehaviors in Indexed mode) — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny-action",
        "Block delete of a resource type with denyAction (built-in, the same details) — https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/General/ResourceType_denyActionDelete.json",
        "Azure Policy definition structure: mode (Indexed evaluates resources with tags and location; All adds resource groups and extension resources) — https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics",
      ],
      compile(_p, ctx) {
        const t = AZURE_DATA_TYPES;
        return azureFragment(ctx, [
          azureDenyDelete(ctx, "data-delete", "Block deletion of data stores, backups and keys", [
            t.storage,
            t.sql,
            t.sqlDatabases,
            t.cosmos,
            t.keyVault,
            t.recoveryVault,
            t.backupVault,
            t.disks,
            t.snapshots,
            t.postgres,
            t.mysql,
          ]),
        ]);
      },
    },
    gcp: {
      fidelity: "enforced",
      sources: [
        "IAM deny policies: deny rules, attachment points and inheritance — https://cloud.google.com/iam/docs/deny-overview",
        "Permissions supported in deny policies — https://cloud.google.com/iam/docs/deny-permissions-support",
        "Principal identifiers (deny policies) — https://cloud.google.com/iam/docs/principal-identifiers",
      ],
      compile(p, ctx) {
        return gcpFragment(ctx, {
          denyRules: gcpDenyRule(ctx, {
            description: "Agents cannot delete data, backups or keys",
            principals: ctx.principals.agents,
            permissions: [...AGENT_DESTRUCTIVE_GCP_PERMISSIONS, ...p.additionalGcpPermissions],
          }),
        });
      },
    },
    oci: {
      fidelity: "partial",
      gap: "Members of the default domain's Administrators group are exempt from every OCI deny and deny does not override identity-domain administrator roles, so an agent identity that is also a tenancy administrator keeps these permissions; the tenancy's deny-policy guard must except the connector (verify names the change).",
      sources: [...OCI_DENY_SOURCES, OCI_SOURCES.objectStorage, OCI_SOURCES.core, OCI_SOURCES.database, OCI_SOURCES.vault],
      compile(_p, ctx) {
        const statements = Object.entries(AGENT_DESTRUCTIVE_OCI).flatMap(([resourceType, permissions]) =>
          ociDeny(ctx, { subject: ctx.principals.agents, verb: "manage", resourceType, permissions }),
        );
        return ociFragment(ctx, statements);
      },
    },
  },
  scenarios: [
    aws("an agent deleting a production object is denied", "agent", "s3:DeleteObject", S3_OBJECT, "denied"),
    aws(
      "an agent scheduling key deletion is denied",
      "agent",
      "kms:ScheduleKeyDeletion",
      "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "denied",
    ),
    aws(
      "an agent deleting an RDS snapshot is denied",
      "agent",
      "rds:DeleteDBSnapshot",
      "arn:aws:rds:eu-west-1:222233334444:snapshot:nightly",
      "denied",
    ),
    aws("an agent reading a production object is allowed", "agent", "s3:GetObject", S3_OBJECT, "allowed"),
    aws("a human deleting a production object is allowed", "human", "s3:DeleteObject", S3_OBJECT, "allowed"),
    aws(
      "a delete made through the AWS MCP server is denied, whoever's credentials it carries",
      "human",
      "s3:DeleteObject",
      S3_OBJECT,
      "denied",
      { context: { "aws:ViaAWSMCPService": "true", "aws:CalledViaAWSMCP": "aws-mcp.amazonaws.com" } },
    ),
    aws("the connector is never denied", "connector", "s3:DeleteObject", S3_OBJECT, "allowed"),
    // KMS also needs the key policy to allow the call; an open one isolates the SCP's effect.
    aws(
      "break-glass is never denied",
      "break-glass",
      "kms:ScheduleKeyDeletion",
      "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "allowed",
      { openResourcePolicy: true },
    ),
    aws("an agent outside the scoped accounts is not affected", "agent", "s3:DeleteObject", S3_OBJECT, "allowed", { inScope: false }),
    aws(
      "a human cannot remove the agent tag from a role",
      "human",
      "iam:UntagRole",
      "arn:aws:iam::222233334444:role/agent-runner",
      "denied",
      { context: { "aws:TagKeys": ["agent"] } },
    ),
    aws(
      "an agent cannot assume a role with agent=false session tag",
      "agent",
      "sts:TagSession",
      "arn:aws:iam::222233334444:role/any",
      "denied",
      { context: { "aws:TagKeys": ["agent"], "aws:RequestTag/agent": "false" } },
    ),
    aws("an agent may keep agent=true as a session tag", "agent", "sts:TagSession", "arn:aws:iam::222233334444:role/any", "allowed", {
      context: { "aws:TagKeys": ["agent"], "aws:RequestTag/agent": "true" },
    }),
    // Azure Policy cannot see the caller: these deletes are refused for every identity (the gap says so).
    azureRequest(
      "deleting a storage account is denied",
      "delete",
      { type: "Microsoft.Storage/storageAccounts", name: "data", location: "westeurope" },
      "denied",
    ),
    azureRequest(
      "deleting a key vault is denied",
      "delete",
      { type: "Microsoft.KeyVault/vaults", name: "kv-app", location: "westeurope" },
      "denied",
    ),
    azureRequest(
      "deleting a Recovery Services vault is denied",
      "delete",
      { type: "Microsoft.RecoveryServices/vaults", name: "rsv", location: "westeurope" },
      "denied",
    ),
    azureRequest(
      "deleting a web app is allowed",
      "delete",
      { type: "Microsoft.Web/sites", name: "app", location: "westeurope" },
      "allowed",
    ),
    gcpRequest(
      "an agent deleting an object in prod is denied",
      "agent",
      "storage.objects.delete",
      `${GCP_RES.bucket}/objects/report.csv`,
      "denied",
    ),
    gcpRequest(
      "an agent destroying a key version is denied",
      "agent",
      "cloudkms.cryptoKeyVersions.destroy",
      "//cloudkms.googleapis.com/projects/prod-app/locations/europe-west1/keyRings/app/cryptoKeys/data/cryptoKeyVersions/1",
      "denied",
    ),
    gcpRequest("an agent deleting a bucket in prod is denied", "agent", "storage.buckets.delete", GCP_RES.bucket, "denied"),
    gcpRequest("an agent reading an object is allowed", "agent", "storage.objects.get", `${GCP_RES.bucket}/objects/report.csv`, "allowed"),
    gcpRequest("the connector is never denied", "connector", "storage.buckets.delete", GCP_RES.bucket, "allowed"),
    oci("an agent's instance principal cannot delete a prod object", "agent", "DeleteObject", "denied"),
    oci("an agent's instance principal cannot delete a prod bucket", "agent", "DeleteBucket", "denied"),
    oci("an agent's instance principal cannot schedule a prod key's deletion", "agent", "ScheduleKeyDeletion", "denied"),
    oci("an agent's instance principal cannot delete a prod volume backup", "agent", "DeleteVolumeBackup", "denied"),
    oci("an agent's instance principal cannot terminate a prod DB system", "agent", "TerminateDbSystem", "denied"),
    oci("an agent still reads prod objects", "agent", "GetObject", "allowed"),
    oci("an agent may delete outside prod", "agent", "DeleteBucket", "allowed", { inScope: false }),
    oci("a person deleting a prod bucket is not an agent", "human", "DeleteBucket", "allowed"),
    oci("the connector is not an agent", "connector", "DeleteBucket", "allowed"),
    ociDynamicGroupDenies(
      "an agent's instance or resource principal (dynamic group) is denied: no user-group exemption switches the deny off",
    ),
    ociAdminsExempt("a tenancy administrator is not blocked (OCI exempts the Administrators group), and no statement pretends otherwise"),
  ],
});
