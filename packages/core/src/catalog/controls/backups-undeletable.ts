import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sarForActions } from "../compilers/aws-sources.ts";
import { AZURE_DATA_TYPES, azureDenyDelete, azureFragment, azurePolicy } from "../compilers/azure.ts";
import { gcpDenyRule, gcpFragment } from "../compilers/gcp.ts";
import { OCI_DENY_GAP, OCI_DENY_SOURCES, OCI_SOURCES, ociDeny, ociFragment } from "../compilers/oci.ts";
import { aws, azureRequest, GCP_RES, gcpRequest, oci, ociAdminsExempt, ociInstanceTwins } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

const BACKUP_AWS_ACTIONS = [
  "backup:DeleteBackupPlan",
  "backup:DeleteBackupSelection",
  "backup:DeleteBackupVault",
  "backup:DeleteBackupVaultAccessPolicy",
  "backup:DeleteBackupVaultLockConfiguration",
  "backup:DeleteRecoveryPoint",
  "backup:UpdateRecoveryPointLifecycle",
  "dynamodb:DeleteBackup",
  "ec2:DeleteSnapshot",
  "elasticache:DeleteSnapshot",
  "fsx:DeleteBackup",
  "kms:DeleteImportedKeyMaterial",
  "kms:ScheduleKeyDeletion",
  "rds:DeleteDBClusterAutomatedBackup",
  "rds:DeleteDBClusterSnapshot",
  "rds:DeleteDBInstanceAutomatedBackup",
  "rds:DeleteDBSnapshot",
  "redshift:DeleteClusterSnapshot",
];

const BACKUP_GCP_PERMISSIONS = [
  "cloudkms.googleapis.com/cryptoKeyVersions.destroy",
  "cloudsql.googleapis.com/backupRuns.delete",
  "compute.googleapis.com/snapshots.delete",
];

const BACKUP_OCI: Record<string, string[]> = {
  "volume-family": ["BOOT_VOLUME_BACKUP_DELETE", "VOLUME_BACKUP_DELETE"],
  "database-family": ["DB_BACKUP_DELETE"],
  keys: ["KEY_DELETE"],
  vaults: ["VAULT_DELETE"],
};

const params = z
  .object({
    /** Also require purge protection on Key Vaults (Azure) so deleted keys stay recoverable. */
    requireKeyVaultPurgeProtection: z.boolean().default(true),
  })
  .strict();

const RECOVERY_POINT = "arn:aws:backup:eu-west-1:222233334444:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45";

export const backupsUndeletable = defineControl({
  id: "backups-undeletable",
  title: "Backups, snapshots and keys cannot be deleted",
  rationale:
    "Backups are the last line of defence against ransomware, mistakes and rogue automation, so attackers go for them first. This control removes the ability to delete backups, snapshots, backup vault locks and encryption keys from everyone except the declared break-glass identities.",
  category: "resilience",
  params,
  frameworks: [
    { framework: "NIST 800-53 r5", ref: "CP-9" },
    { framework: "NIST 800-53 r5", ref: "CP-9(8)" },
    { framework: "NIST 800-53 r5", ref: "SC-12" },
  ],
  clouds: {
    aws: {
      fidelity: "enforced",
      sources: [
        ...sarForActions(BACKUP_AWS_ACTIONS, "the backup, snapshot, vault-lock and key-deletion actions"),
        AWS_DOCS.globalKeys,
        AWS_DOCS.scps,
        AWS_DOCS.scpSyntax,
      ],
      compile(_p, ctx) {
        return awsFragment(ctx, awsDeny(ctx, { purpose: "BackupDelete", policyType: "SCP", actions: BACKUP_AWS_ACTIONS }));
      },
    },
    azure: {
      fidelity: "partial",
      gap: "denyAction blocks deleting whole vaults, key vaults and snapshots for every identity (break-glass must use an exemption), but individual backup items deleted through Azure Backup's own API are only protected by the vault's soft delete.",
      sources: [
        "Azure Policy denyAction effect (DELETE only; cascadeBehaviors in Indexed mode) — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny-action",
        "Azure Policy deny effect — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny",
        "Key vaults should have deletion protection enabled (built-in 0b60c0b2, enablePurgeProtection) — https://learn.microsoft.com/azure/governance/policy/samples/built-in-policies",
      ],
      compile(p, ctx) {
        const t = AZURE_DATA_TYPES;
        const parts = [
          azureDenyDelete(ctx, "backup-delete", "Block deletion of backup vaults, key vaults and snapshots", [
            t.recoveryVault,
            t.backupVault,
            t.keyVault,
            t.snapshots,
          ]),
        ];
        if (p.requireKeyVaultPurgeProtection) {
          parts.push(
            azurePolicy(ctx, {
              purpose: "kv-purge-protection",
              displayName: "Key vaults must have purge protection",
              description: "Denies key vaults without purge protection, so a deleted key stays recoverable.",
              mode: "Indexed",
              if: {
                allOf: [
                  { field: "type", equals: "Microsoft.KeyVault/vaults" },
                  {
                    anyOf: [
                      { field: "Microsoft.KeyVault/vaults/enablePurgeProtection", exists: "false" },
                      { field: "Microsoft.KeyVault/vaults/enablePurgeProtection", equals: "false" },
                    ],
                  },
                ],
              },
              effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
            }),
          );
        }
        return azureFragment(ctx, parts);
      },
    },
    gcp: {
      fidelity: "partial",
      gap: "Snapshots, Cloud SQL backups and key destruction are denied; Backup and DR Service vaults and Filestore backups are not in the deny list.",
      sources: [
        "IAM deny policies: deny rules, attachment points and inheritance — https://cloud.google.com/iam/docs/deny-overview",
        "Permissions supported in deny policies — https://cloud.google.com/iam/docs/deny-permissions-support",
      ],
      compile(_p, ctx) {
        return gcpFragment(ctx, {
          denyRules: gcpDenyRule(ctx, {
            description: "Nobody but break-glass deletes backups, snapshots or keys",
            principals: "all",
            permissions: BACKUP_GCP_PERMISSIONS,
          }),
        });
      },
    },
    oci: {
      fidelity: "partial",
      gap: `Backup, volume, key and vault deletes are denied to everyone but the exempt principals. ${OCI_DENY_GAP}`,
      sources: [...OCI_DENY_SOURCES, OCI_SOURCES.core, OCI_SOURCES.database, OCI_SOURCES.vault],
      compile(_p, ctx) {
        return ociFragment(
          ctx,
          Object.entries(BACKUP_OCI).flatMap(([resourceType, permissions]) =>
            ociDeny(ctx, { subject: "any-user", verb: "manage", resourceType, permissions }),
          ),
        );
      },
    },
  },
  scenarios: [
    aws("a human deleting a recovery point is denied", "human", "backup:DeleteRecoveryPoint", RECOVERY_POINT, "denied"),
    aws(
      "an agent deleting an EBS snapshot is denied",
      "agent",
      "ec2:DeleteSnapshot",
      "arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0",
      "denied",
    ),
    aws("shortening a recovery point's retention is denied", "human", "backup:UpdateRecoveryPointLifecycle", RECOVERY_POINT, "denied"),
    aws("break-glass can delete a recovery point", "break-glass", "backup:DeleteRecoveryPoint", RECOVERY_POINT, "allowed"),
    aws(
      "the connector is never denied",
      "connector",
      "rds:DeleteDBSnapshot",
      "arn:aws:rds:eu-west-1:222233334444:snapshot:nightly",
      "allowed",
    ),
    aws(
      "creating a snapshot is still allowed",
      "human",
      "ec2:CreateSnapshot",
      "arn:aws:ec2:eu-west-1:222233334444:volume/vol-0123456789abcdef0",
      "allowed",
    ),
    aws("an account outside the scope is not affected", "human", "backup:DeleteRecoveryPoint", RECOVERY_POINT, "allowed", {
      inScope: false,
    }),
    azureRequest(
      "deleting a backup vault is refused",
      "delete",
      { type: "Microsoft.DataProtection/backupVaults", name: "bv", location: "westeurope" },
      "denied",
    ),
    azureRequest(
      "deleting a Recovery Services vault is refused",
      "delete",
      { type: "Microsoft.RecoveryServices/vaults", name: "rsv", location: "westeurope" },
      "denied",
    ),
    azureRequest(
      "deleting a snapshot is refused",
      "delete",
      { type: "Microsoft.Compute/snapshots", name: "snap", location: "westeurope" },
      "denied",
    ),
    azureRequest(
      "a key vault without purge protection is denied",
      "write",
      {
        type: "Microsoft.KeyVault/vaults",
        name: "kv",
        location: "westeurope",
        properties: { tenantId: "00000000-0000-0000-0000-000000000001", sku: { family: "A", name: "standard" } },
      },
      "denied",
    ),
    azureRequest(
      "a key vault with purge protection is allowed",
      "write",
      {
        type: "Microsoft.KeyVault/vaults",
        name: "kv",
        location: "westeurope",
        properties: {
          tenantId: "00000000-0000-0000-0000-000000000001",
          sku: { family: "A", name: "standard" },
          enablePurgeProtection: true,
        },
      },
      "allowed",
    ),
    gcpRequest("an administrator deleting a snapshot is denied", "admin", "compute.snapshots.delete", GCP_RES.snapshot, "denied"),
    gcpRequest("an agent deleting a snapshot is denied", "agent", "compute.snapshots.delete", GCP_RES.snapshot, "denied"),
    gcpRequest("break-glass may delete a snapshot", "break-glass", "compute.snapshots.delete", GCP_RES.snapshot, "allowed"),
    oci("a person cannot delete a prod volume backup", "human", "DeleteVolumeBackup", "denied"),
    oci("a person cannot delete a prod boot volume backup", "human", "DeleteBootVolumeBackup", "denied"),
    oci("a person cannot delete a prod database backup", "human", "DeleteBackup", "denied"),
    oci("a person cannot schedule a prod key's deletion", "human", "ScheduleKeyDeletion", "denied"),
    oci("an agent's instance principal cannot delete a prod volume backup", "agent", "DeleteVolumeBackup", "denied"),
    oci("break-glass may delete a volume backup", "break-glass", "DeleteVolumeBackup", "allowed"),
    oci("the connector is excepted", "connector", "DeleteBackup", "allowed"),
    oci("a tenancy administrator is exempt from OCI deny policies", "admin", "DeleteVolumeBackup", "allowed"),
    oci("backups outside prod are not guarded", "human", "DeleteVolumeBackup", "allowed", { inScope: false }),
    ociAdminsExempt("a tenancy administrator is not blocked (OCI exempts the Administrators group), and no statement pretends otherwise"),
    ociInstanceTwins(
      "an instance principal (an agent on a compute instance) is denied too: user-group exemptions do not switch its deny off",
    ),
  ],
});
