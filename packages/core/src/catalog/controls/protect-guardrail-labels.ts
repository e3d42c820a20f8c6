import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sar, sarForActions } from "../compilers/aws-sources.ts";
import { azureFragment, azurePolicy } from "../compilers/azure.ts";
import { gcpFragment } from "../compilers/gcp.ts";
import { OCI_DENY_GAP, OCI_DENY_SOURCES, OCI_SOURCES, ociDeny, ociFragment } from "../compilers/oci.ts";
import { aws, azureRequest, emptyOn, oci, ociAdminsExempt, ociInstanceTwins } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

/**
 * Tagging calls whose request exposes `aws:TagKeys`, each checked in the Service Authorization
 * Reference (the "Tagging" access level with aws:TagKeys among its condition keys). S3 buckets with
 * ABAC enabled are tagged only through s3:TagResource/UntagResource (PutBucketTagging is refused on
 * them), which is why those two cover the buckets regulated-data-perimeter can fence. The Resource
 * Groups Tagging API (tag:TagResources) exposes no tag-key condition but needs the service's own
 * tagging permission as well, so the per-service actions below also govern it.
 */
const TAGGING_AWS_ACTIONS = [
  "backup:TagResource",
  "backup:UntagResource",
  "dynamodb:TagResource",
  "dynamodb:UntagResource",
  "ec2:CreateTags",
  "ec2:DeleteTags",
  "ecr:TagResource",
  "ecr:UntagResource",
  "elasticfilesystem:TagResource",
  "elasticfilesystem:UntagResource",
  "iam:TagRole",
  "iam:TagUser",
  "iam:UntagRole",
  "iam:UntagUser",
  "kms:TagResource",
  "kms:UntagResource",
  "lambda:TagResource",
  "lambda:UntagResource",
  "logs:TagLogGroup",
  "logs:TagResource",
  "logs:UntagLogGroup",
  "logs:UntagResource",
  "organizations:TagResource",
  "organizations:UntagResource",
  "rds:AddTagsToResource",
  "rds:RemoveTagsFromResource",
  "s3:TagResource",
  "s3:UntagResource",
  "secretsmanager:TagResource",
  "secretsmanager:UntagResource",
  "sns:TagResource",
  "sns:UntagResource",
  "sqs:TagQueue",
  "sqs:UntagQueue",
  "ssm:AddTagsToResource",
  "ssm:RemoveTagsFromResource",
];

const key = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{N} _.:/=+\-@]+$/u, "invalid tag key");
const params = z
  .object({
    /** Tag keys guardrails depend on (scope labels, principal classes). */
    guardedKeys: z.array(key).min(1).max(50).default(["agent", "data", "env", "mcp-server"]),
    /** Roles besides connector and break-glass that may change guarded tags. */
    tagAdminRoleArnPatterns: z
      .array(
        z
          .string()
          .max(256)
          .regex(/^arn:aws[a-z-]*:iam::(\*|\d{12}):role\/[A-Za-z0-9+=,.@_/*-]+$/),
      )
      .max(20)
      .default([]),
    /**
     * GCP principals allowed to bind tags. No effect since GCP tag bindings cannot be denied (see the gcp
     * gap); still accepted so guardrails saved with it stay valid.
     */
    gcpTagAdmins: z
      .array(
        z
          .string()
          .max(512)
          .regex(/^principal(Set)?:\/\//),
      )
      .max(20)
      .default([]),
    /** OCI defined-tag namespaces holding the guarded keys. */
    ociTagNamespaces: z
      .array(
        z
          .string()
          .min(1)
          .max(100)
          .regex(/^[A-Za-z0-9_.-]+$/),
      )
      .min(1)
      .max(10)
      .default(["parapet"]),
  })
  .strict();

export const protectGuardrailLabels = defineControl({
  id: "protect-guardrail-labels",
  title: "Labels that guardrails depend on cannot be changed",
  rationale:
    "Guardrails decide what is production, what is regulated and who is an agent by reading tags. If anyone could remove a tag, they could step outside a guardrail simply by relabelling themselves or their data. This control lets only administrators change those tags.",
  category: "organization",
  params,
  frameworks: [
    { framework: "NIST 800-53 r5", ref: "CM-5" },
    { framework: "NIST 800-53 r5", ref: "AC-16" },
  ],
  clouds: {
    aws: {
      fidelity: "partial",
      gap: "Guarded tag keys cannot be added, changed or removed through the tagging calls of IAM, Organizations, EC2, S3 (ABAC buckets), DynamoDB, KMS, Secrets Manager, SQS, SNS, RDS, CloudWatch Logs, Lambda, ECR, EFS, Backup and Systems Manager, nor set as session tags; other services' tagging calls, S3 object tags and tags on non-ABAC buckets (PutBucketTagging exposes no tag-key condition) are not covered, and a guarded tag may still be set when a resource is created.",
      sources: [
        ...sarForActions(TAGGING_AWS_ACTIONS, "tagging actions that expose aws:TagKeys"),
        sar("sts", "TagSession exposes aws:TagKeys and aws:RequestTag"),
        AWS_DOCS.globalKeys,
        AWS_DOCS.sessionTags,
        AWS_DOCS.s3Abac,
        AWS_DOCS.tagging,
        AWS_DOCS.quotas,
      ],
      compile(p, ctx) {
        const keys = new Set(p.guardedKeys);
        for (const sel of [ctx.principals.agents, ctx.principals.mcpServers, ctx.principals.nonProd, ctx.principals.admins]) {
          if (sel.tag) keys.add(sel.tag.key);
        }
        const guarded = { "ForAnyValue:StringEquals": { "aws:TagKeys": [...keys].sort() } };
        return awsFragment(ctx, [
          ...awsDeny(ctx, {
            purpose: "LabelLock",
            policyType: "SCP",
            actions: TAGGING_AWS_ACTIONS,
            condition: guarded,
            alsoExempt: p.tagAdminRoleArnPatterns,
            spareAdmins: true,
          }),
          // A session tag becomes aws:PrincipalTag and overrides the role's own tag of that key, so
          // assuming a role with agent=false, env=prod or team=admin would be relabelling oneself.
          ...awsDeny(ctx, {
            purpose: "LabelSession",
            policyType: "SCP",
            actions: ["sts:TagSession"],
            condition: guarded,
            alsoExempt: p.tagAdminRoleArnPatterns,
            spareAdmins: true,
          }),
        ]);
      },
    },
    azure: {
      fidelity: "partial",
      gap: "Azure Policy cannot see a tag's previous value or exempt an identity, so it protects a guarded tag where the resource group carries it: a resource cannot drop or change that tag (new resources there must carry the group's value, for every identity); tags on resource groups, subscriptions and resources in groups without the tag are not protected.",
      sources: [
        "Inherit a tag from the resource group (built-in cd3aa116, the same resource-group comparison) — https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/Tags/InheritTag_AddOrReplace_Modify.json",
        "Azure Policy definition structure: policy functions (resourceGroup()) — https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions",
      ],
      compile(p, ctx) {
        // Same comparison as built-in cd3aa116 ("Inherit a tag from the resource group"), but denying
        // instead of modifying: the resource group's value is the label's source of truth.
        return azureFragment(ctx, [
          azurePolicy(ctx, {
            purpose: "guarded-tags",
            displayName: "Guarded tags keep their resource group's value",
            description: "Denies a resource write that drops or changes a guarded tag its resource group carries.",
            mode: "Indexed",
            if: {
              anyOf: [...new Set(p.guardedKeys)].sort().map((k) => ({
                allOf: [
                  { value: `[resourceGroup().tags['${k}']]`, notEquals: "" },
                  { field: `tags['${k}']`, notEquals: `[resourceGroup().tags['${k}']]` },
                ],
              })),
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
        ]);
      },
    },
    gcp: {
      // Until 2026-12 this compiled a deny rule on cloudresourcemanager.googleapis.com/tagValueBindings.
      // create/delete. Those permissions are not on Google's list of permissions supported in deny
      // policies, so IAM would have refused the whole deny policy (400) and taken Parapet's other deny
      // rules at that node down with it.
      fidelity: "unsupported",
      gap: "GCP cannot lock tag bindings: IAM deny policies do not support the tag binding permissions (resourcemanager.tagValueBindings.create/delete are not on Google's list of permissions supported in deny policies), and no organization policy constraint governs binding. Who may bind a tag is decided by roles/resourcemanager.tagUser on the tag value, which Parapet does not manage; grant it only to tag administrators. Labels (as opposed to tags) cannot be protected either.",
      sources: [
        "Permissions supported in deny policies (no resourcemanager tagValueBindings permission) — https://cloud.google.com/iam/docs/deny-permissions-support",
        "Tag binding requires roles/resourcemanager.tagUser on the tag value and the resource — https://cloud.google.com/resource-manager/docs/tags/tags-creating-and-managing#attaching",
      ],
      compile(_p, ctx) {
        return gcpFragment(ctx, {});
      },
    },
    oci: {
      fidelity: "partial",
      gap: `Defined tags in the guarded namespaces cannot be applied, changed or removed except by the exempt principals; freeform tags cannot be protected. ${OCI_DENY_GAP}`,
      sources: [...OCI_DENY_SOURCES, OCI_SOURCES.tags],
      compile(p, ctx) {
        return ociFragment(
          ctx,
          [...new Set(p.ociTagNamespaces)].sort().flatMap((ns) =>
            ociDeny(ctx, {
              subject: "any-user",
              verb: "use",
              resourceType: "tag-namespaces",
              conditions: [`target.tag-namespace.name = '${ns}'`],
            }),
          ),
        );
      },
    },
  },
  scenarios: [
    aws("an agent removing its agent tag is denied", "agent", "iam:UntagRole", "arn:aws:iam::222233334444:role/agent-runner", "denied", {
      context: { "aws:TagKeys": ["agent"] },
    }),
    aws(
      "a human relabelling an account's env tag is denied",
      "human",
      "organizations:TagResource",
      "arn:aws:organizations::111122223333:account/o-abcdefghij/222233334444",
      "denied",
      { context: { "aws:TagKeys": ["env"] } },
    ),
    aws(
      "removing data=regulated from a DynamoDB table is denied",
      "human",
      "dynamodb:UntagResource",
      "arn:aws:dynamodb:eu-west-1:222233334444:table/patients",
      "denied",
      { context: { "aws:TagKeys": ["data"] } },
    ),
    aws(
      "relabelling a secret is denied",
      "human",
      "secretsmanager:TagResource",
      "arn:aws:secretsmanager:eu-west-1:222233334444:secret:prod/db-AbCdEf",
      "denied",
      { context: { "aws:TagKeys": ["data"], "aws:RequestTag/data": "public" } },
    ),
    aws(
      "removing a KMS key's data tag is denied",
      "agent",
      "kms:UntagResource",
      "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "denied",
      { context: { "aws:TagKeys": ["data"] } },
    ),
    aws(
      "removing an RDS instance's env tag is denied",
      "human",
      "rds:RemoveTagsFromResource",
      "arn:aws:rds:eu-west-1:222233334444:db:orders",
      "denied",
      { context: { "aws:TagKeys": ["env"] } },
    ),
    aws("untagging an SQS queue is denied", "human", "sqs:UntagQueue", "arn:aws:sqs:eu-west-1:222233334444:orders", "denied", {
      context: { "aws:TagKeys": ["data"] },
    }),
    aws("untagging a log group is denied", "human", "logs:UntagResource", "arn:aws:logs:eu-west-1:222233334444:log-group:audit", "denied", {
      context: { "aws:TagKeys": ["data"] },
    }),
    aws("untagging an ABAC bucket is denied", "human", "s3:UntagResource", "arn:aws:s3:::regulated-data", "denied", {
      bucketAbac: true,
      context: { "aws:TagKeys": ["data"] },
    }),
    // Every covered tagging call, one scenario each: a guarded key cannot be changed through any of them.
    ...TAGGING_AWS_ACTIONS.map((action) =>
      aws<z.output<typeof params>>(`changing the data tag through ${action} is denied`, "human", action, "*", "denied", {
        context: { "aws:TagKeys": ["data"] },
      }),
    ),
    aws(
      "an agent assuming a role with session tag agent=false is denied",
      "agent",
      "sts:TagSession",
      "arn:aws:iam::222233334444:role/any",
      "denied",
      { context: { "aws:TagKeys": ["agent"], "aws:RequestTag/agent": "false" } },
    ),
    aws("a human setting env as a session tag is denied", "human", "sts:TagSession", "arn:aws:iam::222233334444:role/any", "denied", {
      context: { "aws:TagKeys": ["env"], "aws:RequestTag/env": "prod" },
    }),
    aws("an unguarded session tag is allowed", "human", "sts:TagSession", "arn:aws:iam::222233334444:role/any", "allowed", {
      context: { "aws:TagKeys": ["project"], "aws:RequestTag/project": "atlas" },
    }),
    aws(
      "tagging with an unguarded key is allowed",
      "human",
      "ec2:CreateTags",
      "arn:aws:ec2:eu-west-1:222233334444:instance/i-0123456789abcdef0",
      "allowed",
      { context: { "aws:TagKeys": ["cost-center"] } },
    ),
    aws(
      "the connector may change guarded tags",
      "connector",
      "organizations:TagResource",
      "arn:aws:organizations::111122223333:account/o-abcdefghij/222233334444",
      "allowed",
      { context: { "aws:TagKeys": ["env"] } },
    ),
    aws("break-glass may change guarded tags", "break-glass", "iam:UntagRole", "arn:aws:iam::222233334444:role/agent-runner", "allowed", {
      context: { "aws:TagKeys": ["agent"] },
    }),
    azureRequest(
      "removing the env tag its resource group carries is denied",
      "write",
      { type: "Microsoft.Storage/storageAccounts", location: "westeurope", tags: { owner: "x" }, properties: {} },
      "denied",
      { env: "prod" },
    ),
    azureRequest(
      "changing the data tag away from its resource group's value is denied",
      "write",
      { type: "Microsoft.KeyVault/vaults", location: "westeurope", tags: { data: "public" }, properties: {} },
      "denied",
      { data: "regulated" },
    ),
    azureRequest(
      "keeping the resource group's value is allowed",
      "write",
      { type: "Microsoft.Storage/storageAccounts", location: "westeurope", tags: { env: "prod", team: "a" }, properties: {} },
      "allowed",
      { env: "prod" },
    ),
    azureRequest(
      "a resource without guarded tags in an unlabelled group is allowed (no noise)",
      "write",
      { type: "Microsoft.Storage/storageAccounts", location: "westeurope", tags: {}, properties: {} },
      "allowed",
      {},
    ),
    azureRequest(
      "an unguarded tag may change",
      "write",
      { type: "Microsoft.Storage/storageAccounts", location: "westeurope", tags: { env: "prod", cost: "42" }, properties: {} },
      "allowed",
      { env: "prod", cost: "41" },
    ),
    emptyOn("gcp", "GCP compiles nothing: tag bindings cannot be denied (unsupported)"),
    oci("a person cannot set a tag of the guarded namespace", "human", "UpdateBucket", "denied", {
      context: { "target.tag-namespace.name": "parapet" },
    }),
    oci("an agent's instance principal cannot set a tag of the guarded namespace", "agent", "UpdateBucket", "denied", {
      context: { "target.tag-namespace.name": "parapet" },
    }),
    oci("other namespaces stay usable", "human", "UpdateBucket", "allowed", { context: { "target.tag-namespace.name": "finance" } }),
    oci("the connector sets guarded tags", "connector", "UpdateBucket", "allowed", { context: { "target.tag-namespace.name": "parapet" } }),
    ociAdminsExempt("a tenancy administrator is not blocked (OCI exempts the Administrators group), and no statement pretends otherwise"),
    ociInstanceTwins(
      "an instance principal (an agent on a compute instance) is denied too: user-group exemptions do not switch its deny off",
    ),
  ],
});
