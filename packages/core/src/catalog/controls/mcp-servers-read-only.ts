import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sar } from "../compilers/aws-sources.ts";
import { azureFragment } from "../compilers/azure.ts";
import { gcpDenyRule, gcpFragment } from "../compilers/gcp.ts";
import { OCI_DENY_SOURCES, ociDeny, ociFragment } from "../compilers/oci.ts";
import { aws, emptyOn, GCP_RES, gcpRequest, oci, ociAdminsExempt, ociDynamicGroupDenies } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

/**
 * Read-only action patterns per service. Each pattern was checked to match actions in the
 * Service Authorization Reference; IAM does not accept a wildcard service (`*:Get*`), hence the map.
 */
const AWS_READ_PATTERNS = {
  cloudformation: ["cloudformation:Describe*", "cloudformation:Get*", "cloudformation:List*"],
  cloudwatch: ["cloudwatch:BatchGet*", "cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"],
  dynamodb: ["dynamodb:BatchGet*", "dynamodb:Describe*", "dynamodb:Get*", "dynamodb:List*", "dynamodb:Query", "dynamodb:Scan"],
  ec2: ["ec2:Describe*", "ec2:Get*", "ec2:List*"],
  ecs: ["ecs:Describe*", "ecs:Get*", "ecs:List*"],
  eks: ["eks:Describe*", "eks:List*"],
  lambda: ["lambda:Get*", "lambda:List*"],
  logs: ["logs:Describe*", "logs:FilterLogEvents", "logs:Get*", "logs:List*", "logs:StartQuery"],
  rds: ["rds:Describe*", "rds:List*"],
  s3: ["s3:Describe*", "s3:Get*", "s3:List*"],
  sts: ["sts:Get*"],
} as const;
type TReadService = keyof typeof AWS_READ_PATTERNS;
const READ_SERVICES = Object.keys(AWS_READ_PATTERNS) as [TReadService, ...TReadService[]];

const MCP_GCP_WRITE_PERMISSIONS = [
  "bigquery.googleapis.com/datasets.delete",
  "bigquery.googleapis.com/datasets.update",
  "bigquery.googleapis.com/tables.delete",
  "bigquery.googleapis.com/tables.update",
  "bigquery.googleapis.com/tables.updateData",
  "cloudresourcemanager.googleapis.com/projects.delete",
  "cloudresourcemanager.googleapis.com/projects.setIamPolicy",
  "cloudsql.googleapis.com/instances.delete",
  "cloudsql.googleapis.com/instances.update",
  "compute.googleapis.com/disks.delete",
  "compute.googleapis.com/firewalls.create",
  "compute.googleapis.com/firewalls.delete",
  "compute.googleapis.com/firewalls.update",
  "compute.googleapis.com/instances.create",
  "compute.googleapis.com/instances.delete",
  "compute.googleapis.com/instances.setMetadata",
  "iam.googleapis.com/roles.create",
  "iam.googleapis.com/roles.update",
  "iam.googleapis.com/serviceAccountKeys.create",
  "iam.googleapis.com/serviceAccounts.create",
  "iam.googleapis.com/serviceAccounts.delete",
  "run.googleapis.com/services.delete",
  "run.googleapis.com/services.update",
  "secretmanager.googleapis.com/secrets.delete",
  "secretmanager.googleapis.com/versions.add",
  "secretmanager.googleapis.com/versions.destroy",
  "storage.googleapis.com/buckets.create",
  "storage.googleapis.com/buckets.delete",
  "storage.googleapis.com/buckets.setIamPolicy",
  "storage.googleapis.com/buckets.update",
  "storage.googleapis.com/objects.create",
  "storage.googleapis.com/objects.delete",
  "storage.googleapis.com/objects.update",
];

/** OCI permission names follow RESOURCE_VERB; these suffixes are the mutating verbs. */
const OCI_WRITE_SUFFIXES = ["CREATE", "DELETE", "MANAGE", "MOVE", "OVERWRITE", "UPDATE"];

const params = z
  .object({
    /** Services MCP servers may read; every other AWS action is denied to them. */
    awsReadableServices: z
      .array(z.enum(READ_SERVICES))
      .min(1)
      .max(READ_SERVICES.length)
      .default([...READ_SERVICES]),
  })
  .strict();

const OBJECT = "arn:aws:s3:::prod-data/report.csv";

export const mcpServersReadOnly = defineControl({
  id: "mcp-servers-read-only",
  title: "MCP servers can read but not change",
  rationale:
    "MCP servers give AI assistants a window into the cloud. A window should not be a door: this control lets identities used by MCP servers look at resources but refuses every call that would create, change or delete something.",
  category: "identity",
  params,
  frameworks: [
    { framework: "NIST 800-53 r5", ref: "AC-6" },
    { framework: "NIST 800-53 r5", ref: "AC-3(7)" },
  ],
  clouds: {
    aws: {
      fidelity: "partial",
      gap: "MCP server identities (by tag or role ARN) and every call AWS marks as made through its MCP server (aws:ViaAWSMCPService) are limited to the listed services' Get/List/Describe-style calls; a few read calls named otherwise (for example Athena queries) are refused too, and a self-hosted MCP server running under an untagged identity is not recognised.",
      sources: [
        AWS_DOCS.globalKeys,
        AWS_DOCS.mcp,
        sar("aws-mcp", "no service-specific condition keys; aws-mcp:* actions no longer gate calls"),
        AWS_DOCS.scpSyntax,
      ],
      compile(p, ctx) {
        const patterns = [...new Set(p.awsReadableServices.flatMap((s) => [...AWS_READ_PATTERNS[s]]))].sort();
        return awsFragment(
          ctx,
          awsDeny(ctx, { purpose: "McpReadOnly", policyType: "SCP", notActions: patterns, subject: ctx.principals.mcpServers }),
        );
      },
    },
    azure: {
      fidelity: "unsupported",
      gap: "Azure Policy cannot target an identity; MCP server identities must hold only the Reader role, which Parapet can report on but not enforce through policy.",
      sources: [
        "Azure Policy evaluates resource payloads, not the caller's identity (policy rule conditions) — https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule",
      ],
      compile(_p, ctx) {
        return azureFragment(ctx, []);
      },
    },
    gcp: {
      fidelity: "partial",
      gap: "Write permissions of the core services (Storage, Compute, BigQuery, Cloud SQL, Secret Manager, IAM, Resource Manager, Cloud Run) are denied; writes in other services remain possible.",
      sources: [
        "IAM deny policies: deny rules, attachment points and inheritance — https://cloud.google.com/iam/docs/deny-overview",
        "Permissions supported in deny policies — https://cloud.google.com/iam/docs/deny-permissions-support",
        "Principal identifiers (deny policies) — https://cloud.google.com/iam/docs/principal-identifiers",
      ],
      compile(_p, ctx) {
        return gcpFragment(ctx, {
          denyRules: gcpDenyRule(ctx, {
            description: "MCP servers cannot change or delete",
            principals: ctx.principals.mcpServers,
            permissions: MCP_GCP_WRITE_PERMISSIONS,
          }),
        });
      },
    },
    oci: {
      fidelity: "partial",
      gap: "Mutating permissions are matched by name suffix (_CREATE, _UPDATE, _DELETE, _MOVE, _OVERWRITE, _MANAGE); service-specific write permissions named otherwise are not caught, and an MCP identity that is also in the default domain's Administrators group (or holds an identity-domain administrator role) is never denied, since OCI exempts them from every deny.",
      sources: OCI_DENY_SOURCES,
      compile(_p, ctx) {
        return ociFragment(
          ctx,
          OCI_WRITE_SUFFIXES.flatMap((suffix) =>
            ociDeny(ctx, {
              subject: ctx.principals.mcpServers,
              verb: "manage",
              resourceType: "all-resources",
              conditions: [`request.permission = /*_${suffix}/`],
            }),
          ),
        );
      },
    },
  },
  scenarios: [
    aws("an MCP server reading an object is allowed", "mcp-server", "s3:GetObject", OBJECT, "allowed"),
    aws("an MCP server describing instances is allowed", "mcp-server", "ec2:DescribeInstances", "*", "allowed"),
    aws("an MCP server writing an object is denied", "mcp-server", "s3:PutObject", OBJECT, "denied"),
    aws(
      "an MCP server terminating an instance is denied",
      "mcp-server",
      "ec2:TerminateInstances",
      "arn:aws:ec2:eu-west-1:222233334444:instance/i-0123456789abcdef0",
      "denied",
    ),
    aws("an MCP server assuming another role is denied", "mcp-server", "sts:AssumeRole", "arn:aws:iam::222233334444:role/admin", "denied"),
    aws("a human writing is allowed", "human", "s3:PutObject", OBJECT, "allowed"),
    aws("a human's call made through the AWS MCP server cannot write", "human", "s3:PutObject", OBJECT, "denied", {
      context: { "aws:ViaAWSMCPService": "true", "aws:CalledViaAWSMCP": "aws-mcp.amazonaws.com" },
    }),
    aws("a human's call made through the AWS MCP server may read", "human", "s3:GetObject", OBJECT, "allowed", {
      context: { "aws:ViaAWSMCPService": "true", "aws:CalledViaAWSMCP": "aws-mcp.amazonaws.com" },
    }),
    aws("the connector is never denied", "connector", "s3:PutObject", OBJECT, "allowed"),
    emptyOn("azure", "Azure compiles nothing (unsupported)"),
    gcpRequest(
      "an MCP server writing an object is denied",
      "mcp-server",
      "storage.objects.create",
      `${GCP_RES.bucket}/objects/out.json`,
      "denied",
    ),
    gcpRequest(
      "an MCP server reading an object is allowed",
      "mcp-server",
      "storage.objects.get",
      `${GCP_RES.bucket}/objects/in.json`,
      "allowed",
    ),
    oci("an MCP server's resource principal cannot delete a prod bucket", "mcp-server", "DeleteBucket", "denied"),
    oci("an MCP server's resource principal cannot create a prod bucket", "mcp-server", "CreateBucket", "denied"),
    oci("an MCP server's resource principal cannot update a prod bucket", "mcp-server", "UpdateBucket", "denied"),
    oci("an MCP server still reads prod objects", "mcp-server", "GetObject", "allowed"),
    oci("an MCP server still lists prod buckets", "mcp-server", "ListBuckets", "allowed"),
    oci("an agent is not an MCP server", "agent", "CreateBucket", "allowed"),
    ociDynamicGroupDenies(
      "an MCP server's instance or resource principal (dynamic group) is denied writes: no user-group exemption switches the deny off",
    ),
    ociAdminsExempt("a tenancy administrator is not blocked (OCI exempts the Administrators group), and no statement pretends otherwise"),
  ],
});
