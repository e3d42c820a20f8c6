import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sar } from "../compilers/aws-sources.ts";
import { azureFragment, azurePolicy } from "../compilers/azure.ts";
import { gcpCustomConstraint, gcpFragment } from "../compilers/gcp.ts";
import { OCI_ZONE_SOURCES, ociFragment } from "../compilers/oci.ts";
import { aws, azureRequest, gcpRequest, oci } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

const params = z
  .object({
    /** Services that must use CMEK, for gcp.restrictNonCmekServices. */
    gcpCmekServices: z
      .array(
        z
          .string()
          .max(64)
          .regex(/^[a-z0-9-]+\.googleapis\.com$/),
      )
      .max(30)
      .default(["bigquery.googleapis.com", "compute.googleapis.com", "sqladmin.googleapis.com", "storage.googleapis.com"]),
  })
  .strict();

const DES = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/cmk";
const vm = (storageProfile: Record<string, unknown>): Record<string, unknown> => ({
  type: "Microsoft.Compute/virtualMachines",
  location: "westeurope",
  properties: { storageProfile },
});

export const requireEncryption = defineControl({
  id: "require-encryption",
  title: "Data at rest uses customer-managed keys",
  rationale:
    "Encrypting data with keys the organisation controls means it can prove who can read the data and can make it unreadable by revoking a key. This control refuses creating unencrypted storage, and where the cloud allows it, storage that is not encrypted with the organisation's own keys.",
  category: "data-protection",
  params,
  frameworks: [
    { framework: "CIS AWS 3.0", ref: "2.2.1" },
    { framework: "NIST 800-53 r5", ref: "SC-28" },
    { framework: "NIST 800-53 r5", ref: "SC-12" },
  ],
  clouds: {
    aws: {
      fidelity: "partial",
      gap: "Creating unencrypted EBS volumes (alone or at instance launch), EFS file systems, RDS instances and Aurora/RDS clusters is refused, and S3 encrypts every new object by default; customer-managed keys are not required, and RDS read replicas and snapshot restores inherit their source's encryption rather than being checked.",
      sources: [
        sar("ec2", "ec2:Encrypted on the volume resource type of CreateVolume and RunInstances"),
        sar("elasticfilesystem", "elasticfilesystem:Encrypted on CreateFileSystem"),
        sar(
          "rds",
          "rds:StorageEncrypted on the db resource type (CreateDBInstance, RestoreDBInstanceFromS3) and on CreateDBCluster and RestoreDBClusterFromS3",
        ),
        AWS_DOCS.s3DefaultEncryption,
        AWS_DOCS.scpSyntax,
      ],
      compile(_p, ctx) {
        return awsFragment(ctx, [
          ...awsDeny(ctx, {
            purpose: "EncEbs",
            policyType: "SCP",
            actions: ["ec2:CreateVolume"],
            condition: { Bool: { "ec2:Encrypted": "false" } },
          }),
          // Volumes created at launch are authorised on the volume resource of RunInstances.
          ...awsDeny(ctx, {
            purpose: "EncEbsLaunch",
            policyType: "SCP",
            actions: ["ec2:RunInstances"],
            resources: ["arn:aws:ec2:*:*:volume/*"],
            condition: { Bool: { "ec2:Encrypted": "false" } },
          }),
          ...awsDeny(ctx, {
            purpose: "EncEfs",
            policyType: "SCP",
            actions: ["elasticfilesystem:CreateFileSystem"],
            condition: { Bool: { "elasticfilesystem:Encrypted": "false" } },
          }),
          // rds:StorageEncrypted is a key of the db resource type (single instances) and of the cluster
          // create calls; Aurora instances joining a cluster send none, so they are not refused.
          ...awsDeny(ctx, {
            purpose: "EncRds",
            policyType: "SCP",
            actions: ["rds:CreateDBCluster", "rds:CreateDBInstance", "rds:RestoreDBClusterFromS3", "rds:RestoreDBInstanceFromS3"],
            condition: { Bool: { "rds:StorageEncrypted": "false" } },
          }),
        ]);
      },
    },
    azure: {
      fidelity: "partial",
      gap: "Storage accounts and managed disks, including the OS and data disks a virtual machine or scale set creates, must use customer-managed keys; SQL transparent data encryption, Cosmos DB and other services keep platform-managed keys unless covered separately.",
      sources: [
        "Azure Policy deny effect — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny",
        "OS and data disks should be encrypted with a customer-managed key (built-in 702dd420: VM and scale-set storage profiles, managed disks) — https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Compute/OSAndDataDiskCMKRequired_Deny.json",
        "Storage accounts should use customer-managed key for encryption (built-in, encryption.keySource) — https://learn.microsoft.com/azure/governance/policy/samples/built-in-policies",
      ],
      compile(_p, ctx) {
        return azureFragment(ctx, [
          azurePolicy(ctx, {
            purpose: "storage-cmk",
            displayName: "Storage accounts use customer-managed keys",
            description: "Denies storage accounts whose encryption key source is not Key Vault.",
            mode: "Indexed",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.Storage/storageAccounts" },
                { field: "Microsoft.Storage/storageAccounts/encryption.keySource", notEquals: "Microsoft.Keyvault" },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
          azurePolicy(ctx, {
            purpose: "disk-cmk",
            displayName: "Managed disks use customer-managed keys",
            description: "Denies managed disks not encrypted with a customer-managed key.",
            mode: "Indexed",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.Compute/disks" },
                {
                  field: "Microsoft.Compute/disks/encryption.type",
                  notIn: ["EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys"],
                },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
          // A VM or scale set creates its OS and data disks from its storage profile, in the same
          // request: the disk policy above never sees them. Built-in 702dd420 ("OS and data disks
          // should be encrypted with a customer-managed key") checks the storage profiles the same way.
          azurePolicy(ctx, {
            purpose: "vm-disk-cmk",
            displayName: "Disks created with a VM or scale set use customer-managed keys",
            description:
              "Denies virtual machines and scale sets whose OS or new data disks have no disk encryption set (customer-managed key).",
            mode: "Indexed",
            if: {
              anyOf: [
                {
                  allOf: [
                    { field: "type", equals: "Microsoft.Compute/virtualMachines" },
                    {
                      anyOf: [
                        {
                          field: "Microsoft.Compute/virtualMachines/storageProfile.osDisk.managedDisk.diskEncryptionSet.id",
                          exists: "false",
                        },
                        {
                          // New data disks only: an attached existing disk (managedDisk.id) was checked when it was created.
                          count: {
                            field: "Microsoft.Compute/virtualMachines/storageProfile.dataDisks[*]",
                            where: {
                              allOf: [
                                { field: "Microsoft.Compute/virtualMachines/storageProfile.dataDisks[*].managedDisk.id", exists: "false" },
                                {
                                  field: "Microsoft.Compute/virtualMachines/storageProfile.dataDisks[*].managedDisk.diskEncryptionSet.id",
                                  exists: "false",
                                },
                              ],
                            },
                          },
                          greater: 0,
                        },
                      ],
                    },
                  ],
                },
                {
                  allOf: [
                    { field: "type", equals: "Microsoft.Compute/virtualMachineScaleSets" },
                    {
                      anyOf: [
                        {
                          field:
                            "Microsoft.Compute/virtualMachineScaleSets/virtualMachineProfile.storageProfile.osDisk.managedDisk.diskEncryptionSet.id",
                          exists: "false",
                        },
                        {
                          count: {
                            field: "Microsoft.Compute/virtualMachineScaleSets/virtualMachineProfile.storageProfile.dataDisks[*]",
                            where: {
                              field:
                                "Microsoft.Compute/virtualMachineScaleSets/virtualMachineProfile.storageProfile.dataDisks[*].managedDisk.diskEncryptionSet.id",
                              exists: "false",
                            },
                          },
                          greater: 0,
                        },
                      ],
                    },
                  ],
                },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
        ]);
      },
    },
    gcp: {
      fidelity: "enforced",
      sources: [
        "Create and manage custom constraints (CEL over resource, method types) — https://cloud.google.com/resource-manager/docs/organization-policy/creating-managing-custom-constraints",
        "CMEK organization policies (gcp.restrictNonCmekServices) — https://cloud.google.com/kms/docs/cmek-org-policy",
        "Cloud Storage custom constraints (storage.googleapis.com/Bucket fields) — https://cloud.google.com/storage/docs/org-policy-custom-constraints",
      ],
      compile(p, ctx) {
        const cc = gcpCustomConstraint(ctx, {
          slug: "bucketcmek",
          resourceTypes: ["storage.googleapis.com/Bucket"],
          methodTypes: ["CREATE", "UPDATE"],
          condition:
            "!has(resource.encryption) || !has(resource.encryption.defaultKmsKeyName) || resource.encryption.defaultKmsKeyName == ''",
          actionType: "DENY",
          displayName: "Parapet: buckets default to a customer-managed key",
          description: `Refuses buckets without a default Cloud KMS key. Owner: ${ctx.workspaceId}`,
        });
        return gcpFragment(ctx, {
          customConstraints: [cc],
          orgPolicies: [
            { constraint: "gcp.restrictNonCmekServices", rules: [{ values: { deniedValues: [...new Set(p.gcpCmekServices)].sort() } }] },
            { constraint: cc.name.split("/").pop()!, rules: [{ enforce: true }] },
          ],
        });
      },
    },
    oci: {
      fidelity: "partial",
      gap: "Security Zones require vault keys for buckets, block and boot volumes and file systems; databases are not covered, and zones are placed only on compartments (never the root, never over a customer's Cloud Guard target).",
      sources: OCI_ZONE_SOURCES,
      compile(_p, ctx) {
        return ociFragment(
          ctx,
          [],
          [
            "deny block_volume_without_vault_key",
            "deny boot_volume_without_vault_key",
            "deny buckets_without_vault_key",
            "deny file_system_without_vault_key",
          ],
        );
      },
    },
  },
  scenarios: [
    aws(
      "creating an unencrypted EBS volume is denied",
      "human",
      "ec2:CreateVolume",
      "arn:aws:ec2:eu-west-1:222233334444:volume/*",
      "denied",
      { context: { "ec2:Encrypted": "false" } },
    ),
    aws(
      "creating an encrypted EBS volume is allowed",
      "human",
      "ec2:CreateVolume",
      "arn:aws:ec2:eu-west-1:222233334444:volume/*",
      "allowed",
      { context: { "ec2:Encrypted": "true" } },
    ),
    aws(
      "an unencrypted Aurora cluster is denied",
      "agent",
      "rds:CreateDBCluster",
      "arn:aws:rds:eu-west-1:222233334444:cluster:orders",
      "denied",
      { context: { "rds:StorageEncrypted": "false" } },
    ),
    aws(
      "an unencrypted single RDS instance is denied",
      "human",
      "rds:CreateDBInstance",
      "arn:aws:rds:eu-west-1:222233334444:db:orders",
      "denied",
      { context: { "rds:StorageEncrypted": "false" } },
    ),
    aws(
      "an encrypted single RDS instance is allowed",
      "human",
      "rds:CreateDBInstance",
      "arn:aws:rds:eu-west-1:222233334444:db:orders",
      "allowed",
      { context: { "rds:StorageEncrypted": "true" } },
    ),
    aws(
      "an RDS instance restored from S3 unencrypted is denied",
      "human",
      "rds:RestoreDBInstanceFromS3",
      "arn:aws:rds:eu-west-1:222233334444:db:orders",
      "denied",
      { context: { "rds:StorageEncrypted": "false" } },
    ),
    aws(
      "launching an instance with an unencrypted volume is denied",
      "human",
      "ec2:RunInstances",
      "arn:aws:ec2:eu-west-1:222233334444:volume/*",
      "denied",
      { context: { "ec2:Encrypted": "false" } },
    ),
    aws(
      "launching an instance with encrypted volumes is allowed",
      "human",
      "ec2:RunInstances",
      "arn:aws:ec2:eu-west-1:222233334444:volume/*",
      "allowed",
      { context: { "ec2:Encrypted": "true" } },
    ),
    aws("an unencrypted EFS file system is denied", "human", "elasticfilesystem:CreateFileSystem", "*", "denied", {
      context: { "elasticfilesystem:Encrypted": "false" },
    }),
    aws("the connector is never denied", "connector", "ec2:CreateVolume", "arn:aws:ec2:eu-west-1:222233334444:volume/*", "allowed", {
      context: { "ec2:Encrypted": "false" },
    }),
    aws("break-glass is never denied", "break-glass", "ec2:CreateVolume", "arn:aws:ec2:eu-west-1:222233334444:volume/*", "allowed", {
      context: { "ec2:Encrypted": "false" },
    }),
    {
      kind: "gcp-cel",
      cloud: "gcp",
      name: "a bucket without a default KMS key is refused",
      constraint: "bucketcmek",
      resource: { name: "raw-data", encryption: {} },
      expect: "denied",
    },
    {
      kind: "gcp-cel",
      cloud: "gcp",
      name: "a bucket with no encryption block is refused",
      constraint: "bucketcmek",
      resource: { name: "raw-data" },
      expect: "denied",
    },
    {
      kind: "gcp-cel",
      cloud: "gcp",
      name: "a bucket with a default KMS key is allowed",
      constraint: "bucketcmek",
      resource: { name: "raw-data", encryption: { defaultKmsKeyName: "projects/p/locations/eu/keyRings/r/cryptoKeys/k" } },
      expect: "allowed",
    },
    azureRequest(
      "a storage account on Microsoft-managed keys is denied",
      "write",
      {
        type: "Microsoft.Storage/storageAccounts",
        name: "sa",
        location: "westeurope",
        properties: { encryption: { keySource: "Microsoft.Storage" } },
      },
      "denied",
    ),
    azureRequest(
      "a storage account on Key Vault keys is allowed",
      "write",
      {
        type: "Microsoft.Storage/storageAccounts",
        name: "sa",
        location: "westeurope",
        properties: {
          encryption: { keySource: "Microsoft.Keyvault", keyvaultproperties: { keyname: "k", keyvaulturi: "https://kv.vault.azure.net/" } },
        },
      },
      "allowed",
    ),
    azureRequest(
      "a managed disk with a platform-managed key is denied",
      "write",
      { type: "Microsoft.Compute/disks", location: "westeurope", properties: { encryption: { type: "EncryptionAtRestWithPlatformKey" } } },
      "denied",
    ),
    azureRequest(
      "a VM whose new OS disk has no customer-managed key is denied",
      "write",
      vm({ osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Premium_LRS" } } }),
      "denied",
    ),
    azureRequest(
      "a VM whose new data disk has no customer-managed key is denied",
      "write",
      vm({ osDisk: { managedDisk: { diskEncryptionSet: { id: DES } } }, dataDisks: [{ lun: 0, createOption: "Empty", managedDisk: {} }] }),
      "denied",
    ),
    azureRequest(
      "a VM with customer-managed keys on new disks, attaching an existing disk, is allowed",
      "write",
      vm({
        osDisk: { managedDisk: { diskEncryptionSet: { id: DES } } },
        dataDisks: [
          { lun: 0, createOption: "Empty", managedDisk: { diskEncryptionSet: { id: DES } } },
          {
            lun: 1,
            createOption: "Attach",
            managedDisk: { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d1" },
          },
        ],
      }),
      "allowed",
    ),
    azureRequest(
      "a scale set whose OS disk has no customer-managed key is denied",
      "write",
      {
        type: "Microsoft.Compute/virtualMachineScaleSets",
        location: "westeurope",
        properties: { virtualMachineProfile: { storageProfile: { osDisk: { managedDisk: {} } } } },
      },
      "denied",
    ),
    azureRequest(
      "a scale set with customer-managed keys on every disk is allowed",
      "write",
      {
        type: "Microsoft.Compute/virtualMachineScaleSets",
        location: "westeurope",
        properties: {
          virtualMachineProfile: {
            storageProfile: {
              osDisk: { managedDisk: { diskEncryptionSet: { id: DES } } },
              dataDisks: [{ lun: 0, managedDisk: { diskEncryptionSet: { id: DES } } }],
            },
          },
        },
      },
      "allowed",
    ),
    gcpRequest(
      "a bucket created without a CMEK key is refused",
      "human",
      "storage.buckets.create",
      "//storage.googleapis.com/projects/_/buckets/raw-data",
      "denied",
      {
        request: { name: "raw-data", location: "EU" },
      },
    ),
    gcpRequest(
      "a bucket created with a CMEK key is allowed",
      "human",
      "storage.buckets.create",
      "//storage.googleapis.com/projects/_/buckets/raw-data",
      "allowed",
      {
        request: { name: "raw-data", encryption: { defaultKmsKeyName: "projects/p/locations/eu/keyRings/r/cryptoKeys/k" } },
      },
    ),
    oci("a bucket without a Vault key is refused", "human", "CreateBucket", "denied", { resource: { kmsKeyId: null } }),
    oci("a bucket with a Vault key is created", "human", "CreateBucket", "allowed", {
      resource: { kmsKeyId: "ocid1.key.oc1.eu-frankfurt-1.vault.key" },
    }),
    oci("a block volume without a Vault key is refused", "agent", "CreateVolume", "denied", { resource: { kmsKeyId: null } }),
    oci("a boot volume without a Vault key is refused", "human", "CreateBootVolume", "denied", { resource: { kmsKeyId: null } }),
    oci("a file system without a Vault key is refused", "human", "CreateFileSystem", "denied", { resource: { kmsKeyId: null } }),
    oci("a file system with a Vault key is created", "human", "CreateFileSystem", "allowed", {
      resource: { kmsKeyId: "ocid1.key.oc1.eu-frankfurt-1.vault.key" },
    }),
  ],
});
