import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sar } from "../compilers/aws-sources.ts";
import { azureFragment, azurePolicy } from "../compilers/azure.ts";
import { enforceRule, gcpFragment } from "../compilers/gcp.ts";
import { OCI_ZONE_SOURCES, ociFragment } from "../compilers/oci.ts";
import { aws, azureRequest, GCP_RES, gcpRequest, oci } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

const ZAccount = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");

const params = z
  .object({
    /** Accounts outside the organisation that may still read S3 data (e.g. a partner's ingestion account). */
    allowedExternalAccountIds: z.array(ZAccount).max(50).default([]),
  })
  .strict();

const PUBLIC_RDS_ACTIONS = [
  "rds:CreateDBInstance",
  "rds:CreateDBInstanceReadReplica",
  "rds:RestoreDBInstanceFromDBSnapshot",
  "rds:RestoreDBInstanceFromS3",
  "rds:RestoreDBInstanceToPointInTime",
];

const OBJECT = "arn:aws:s3:::prod-data/customers.csv";

export const noPublicData = defineControl({
  id: "no-public-data",
  title: "No path from the public internet to data stores",
  rationale:
    "Most large data leaks are storage left open to the internet by accident. This control keeps storage and databases private: public-access blocks cannot be switched off, data cannot be read by anyone outside the organisation, and databases cannot be created with public endpoints.",
  category: "data-protection",
  params,
  frameworks: [
    { framework: "CIS AWS 3.0", ref: "2.1.4" },
    { framework: "CIS GCP 3.0", ref: "5.1" },
    { framework: "NIST 800-53 r5", ref: "AC-3" },
    { framework: "NIST 800-53 r5", ref: "SC-7" },
  ],
  clouds: {
    aws: {
      fidelity: "partial",
      gap: "S3 Block Public Access, S3 reads from outside the organisation and public RDS instances are blocked; public EBS/RDS snapshot sharing, public AMIs and other services' resource policies are not.",
      sources: [
        sar("s3", "PutAccountPublicAccessBlock, PutBucketPublicAccessBlock, GetObject, GetObjectVersion, ListBucket"),
        sar("rds", "rds:PubliclyAccessible on CreateDBInstance, CreateDBInstanceReadReplica and the instance restores"),
        AWS_DOCS.rcps,
        AWS_DOCS.rcpSyntax,
        AWS_DOCS.globalKeys,
        AWS_DOCS.scps,
        AWS_DOCS.scpSyntax,
      ],
      compile(p, ctx) {
        const external = [...new Set(p.allowedExternalAccountIds)].sort();
        return awsFragment(ctx, [
          ...awsDeny(ctx, {
            purpose: "PublicBpa",
            policyType: "SCP",
            actions: ["s3:PutAccountPublicAccessBlock", "s3:PutBucketPublicAccessBlock"],
          }),
          ...awsDeny(ctx, {
            purpose: "PublicRds",
            policyType: "SCP",
            actions: PUBLIC_RDS_ACTIONS,
            condition: { Bool: { "rds:PubliclyAccessible": "true" } },
          }),
          ...awsDeny(ctx, {
            purpose: "PublicS3Read",
            policyType: "RCP",
            actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
            condition: {
              StringNotEqualsIfExists: {
                "aws:PrincipalOrgID": ctx.facts.orgId,
                ...(external.length > 0 ? { "aws:PrincipalAccount": external } : {}),
              },
            },
          }),
        ]);
      },
    },
    azure: {
      fidelity: "partial",
      gap: "Storage accounts, SQL servers and Cosmos DB accounts are kept off public networks; PostgreSQL/MySQL flexible servers and public IPs on VMs are not evaluated.",
      sources: [
        "Azure Policy deny effect — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny",
        "Storage account public access should be disallowed / Storage accounts should disable public network access / Public network access on Azure SQL Database should be disabled / Azure Cosmos DB should disable public network access (built-ins, same aliases) — https://learn.microsoft.com/azure/governance/policy/samples/built-in-policies",
      ],
      compile(_p, ctx) {
        return azureFragment(ctx, [
          azurePolicy(ctx, {
            purpose: "storage-public",
            displayName: "Storage accounts cannot allow public access",
            description: "Denies storage accounts that allow anonymous blob access or public network access.",
            mode: "Indexed",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.Storage/storageAccounts" },
                {
                  anyOf: [
                    { field: "Microsoft.Storage/storageAccounts/allowBlobPublicAccess", notEquals: "false" },
                    { field: "Microsoft.Storage/storageAccounts/publicNetworkAccess", notEquals: "Disabled" },
                  ],
                },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
          azurePolicy(ctx, {
            purpose: "sql-public",
            displayName: "SQL servers cannot enable public network access",
            description: "Denies Azure SQL logical servers with public network access.",
            mode: "Indexed",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.Sql/servers" },
                { field: "Microsoft.Sql/servers/publicNetworkAccess", notEquals: "Disabled" },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
          azurePolicy(ctx, {
            purpose: "cosmos-public",
            displayName: "Cosmos DB accounts cannot enable public network access",
            description: "Denies Cosmos DB accounts with public network access.",
            mode: "Indexed",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.DocumentDB/databaseAccounts" },
                { field: "Microsoft.DocumentDB/databaseAccounts/publicNetworkAccess", notEquals: "Disabled" },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
        ]);
      },
    },
    gcp: {
      fidelity: "partial",
      gap: "Buckets, Cloud SQL public IPs and VM external IPs are blocked; BigQuery datasets shared with allUsers are only prevented when regulated-data-perimeter (iam.allowedPolicyMemberDomains) is also active.",
      sources: [
        "Organization policy constraints — https://cloud.google.com/resource-manager/docs/organization-policy/org-policy-constraints",
        "Public access prevention (storage.publicAccessPrevention) — https://cloud.google.com/storage/docs/public-access-prevention",
        "Cloud SQL organization policies (sql.restrictPublicIp) — https://cloud.google.com/sql/docs/mysql/org-policy/org-policy",
      ],
      compile(_p, ctx) {
        return gcpFragment(ctx, {
          orgPolicies: [
            { constraint: "compute.vmExternalIpAccess", rules: [{ denyAll: true }] },
            { constraint: "sql.restrictPublicIp", rules: [enforceRule] },
            { constraint: "storage.publicAccessPrevention", rules: [enforceRule] },
          ],
        });
      },
    },
    oci: {
      fidelity: "partial",
      gap: "Security Zones block public buckets and public database access; public IPs on compute instances and load balancers are not covered, and zones are placed only on compartments (never the root, never over a customer's Cloud Guard target, which creating a zone would delete).",
      sources: OCI_ZONE_SOURCES,
      compile(_p, ctx) {
        return ociFragment(ctx, [], ["deny db_instance_public_access", "deny public_buckets"]);
      },
    },
  },
  scenarios: [
    aws("turning off S3 Block Public Access is denied", "human", "s3:PutBucketPublicAccessBlock", "arn:aws:s3:::prod-data", "denied"),
    aws("an anonymous read of a prod object is denied by the RCP", "external", "s3:GetObject", OBJECT, "denied", {
      openResourcePolicy: true,
    }),
    aws("a principal of the organisation may read", "human", "s3:GetObject", OBJECT, "allowed"),
    aws(
      "an outside role named like break-glass reading a prod object is denied",
      "external-break-glass",
      "s3:GetObject",
      OBJECT,
      "denied",
      { openResourcePolicy: true },
    ),
    aws(
      "an outside role named like the connector listing a prod bucket is denied",
      "external-connector",
      "s3:ListBucket",
      "arn:aws:s3:::prod-data",
      "denied",
      { openResourcePolicy: true },
    ),
    aws(
      "creating a publicly accessible RDS instance is denied",
      "human",
      "rds:CreateDBInstance",
      "arn:aws:rds:eu-west-1:222233334444:db:orders",
      "denied",
      { context: { "rds:PubliclyAccessible": "true" } },
    ),
    aws(
      "creating a private RDS instance is allowed",
      "human",
      "rds:CreateDBInstance",
      "arn:aws:rds:eu-west-1:222233334444:db:orders",
      "allowed",
      { context: { "rds:PubliclyAccessible": "false" } },
    ),
    aws("the connector is never denied", "connector", "s3:PutBucketPublicAccessBlock", "arn:aws:s3:::prod-data", "allowed"),
    aws("break-glass is never denied", "break-glass", "s3:PutAccountPublicAccessBlock", "*", "allowed"),
    azureRequest(
      "a storage account allowing public blob access is denied",
      "write",
      {
        type: "Microsoft.Storage/storageAccounts",
        name: "pub",
        location: "westeurope",
        kind: "StorageV2",
        properties: { allowBlobPublicAccess: true, publicNetworkAccess: "Disabled" },
      },
      "denied",
    ),
    azureRequest(
      "a private storage account is allowed",
      "write",
      {
        type: "Microsoft.Storage/storageAccounts",
        name: "priv",
        location: "westeurope",
        kind: "StorageV2",
        properties: { allowBlobPublicAccess: false, publicNetworkAccess: "Disabled" },
      },
      "allowed",
    ),
    azureRequest(
      "a SQL server open to public networks is denied",
      "write",
      {
        type: "Microsoft.Sql/servers",
        name: "sql",
        location: "westeurope",
        properties: { administratorLogin: "dba", publicNetworkAccess: "Enabled" },
      },
      "denied",
    ),
    azureRequest(
      "a Cosmos DB account open to public networks is denied",
      "write",
      {
        type: "Microsoft.DocumentDB/databaseAccounts",
        name: "cosmos",
        location: "westeurope",
        properties: { databaseAccountOfferType: "Standard" },
      },
      "denied",
    ),
    gcpRequest("granting allUsers read on a bucket is refused", "human", "storage.buckets.setIamPolicy", GCP_RES.bucket, "denied", {
      request: { policy: { bindings: [{ role: "roles/storage.objectViewer", members: ["allUsers"] }] } },
    }),
    gcpRequest("granting a colleague read on a bucket is allowed", "human", "storage.buckets.setIamPolicy", GCP_RES.bucket, "allowed", {
      request: { policy: { bindings: [{ role: "roles/storage.objectViewer", members: ["user:colleague@example.com"] }] } },
    }),
    gcpRequest("a VM with an external IP is refused", "human", "compute.instances.create", GCP_RES.instance, "denied", {
      request: {
        "@type": "type.googleapis.com/compute.instances.insert",
        name: "web-1",
        networkInterfaces: [{ network: "global/networks/default", accessConfigs: [{ name: "External NAT", type: "ONE_TO_ONE_NAT" }] }],
      },
    }),
    gcpRequest("a VM without an external IP is allowed", "human", "compute.instances.create", GCP_RES.instance, "allowed", {
      request: {
        "@type": "type.googleapis.com/compute.instances.insert",
        name: "web-1",
        networkInterfaces: [{ network: "global/networks/default" }],
      },
    }),
    gcpRequest("a Cloud SQL instance with a public IP is refused", "human", "cloudsql.instances.create", GCP_RES.sqlInstance, "denied", {
      request: {
        "@type": "type.googleapis.com/google.cloud.sql.v1.SqlInstancesInsertRequest",
        body: { name: "orders", settings: { ipConfiguration: { ipv4Enabled: true } } },
      },
    }),
    oci("the security zone refuses a public bucket", "human", "CreateBucket", "denied", { resource: { publicAccessType: "ObjectRead" } }),
    oci("the security zone refuses making a bucket public", "agent", "UpdateBucket", "denied", {
      resource: { publicAccessType: "ObjectReadWithoutList" },
    }),
    oci("a private bucket is created", "human", "CreateBucket", "allowed", { resource: { publicAccessType: "NoPublicAccess" } }),
    oci("the security zone refuses an Autonomous Database without a private endpoint", "human", "CreateAutonomousDatabase", "denied", {
      resource: { subnetId: null },
    }),
    oci("an Autonomous Database with a private endpoint is created", "human", "CreateAutonomousDatabase", "allowed", {
      resource: { subnetId: "ocid1.subnet.oc1.eu-frankfurt-1.private" },
    }),
  ],
});
