import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { azureFragment, azurePolicy } from "../compilers/azure.ts";
import { gcpDenyRule, gcpFragment } from "../compilers/gcp.ts";
import { OCI_DENY_GAP, OCI_DENY_SOURCES, OCI_SOURCES, ociDeny, ociFragment } from "../compilers/oci.ts";
import { aws, azureRequest, gcpDenies, ociAdminsExempt, ociMatches } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

/** Tagging calls whose request exposes `aws:TagKeys` (Service Authorization Reference). */
export const TAGGING_AWS_ACTIONS = [
  "ec2:CreateTags",
  "ec2:DeleteTags",
  "iam:TagRole",
  "iam:TagUser",
  "iam:UntagRole",
  "iam:UntagUser",
  "organizations:TagResource",
  "organizations:UntagResource",
];

export const TAGGING_GCP_PERMISSIONS = [
  "cloudresourcemanager.googleapis.com/tagValueBindings.create",
  "cloudresourcemanager.googleapis.com/tagValueBindings.delete",
];

const key = z.string().min(1).max(128).regex(/^[\p{L}\p{N} _.:/=+\-@]+$/u, "invalid tag key");
const params = z
  .object({
    /** Tag keys guardrails depend on (scope labels, principal classes). */
    guardedKeys: z.array(key).min(1).max(50).default(["agent", "data", "env", "mcp-server"]),
    /** Roles besides connector and break-glass that may change guarded tags. */
    tagAdminRoleArnPatterns: z
      .array(z.string().max(256).regex(/^arn:aws[a-z-]*:iam::(\*|\d{12}):role\/[A-Za-z0-9+=,.@_/*-]+$/))
      .max(20)
      .default([]),
    /** GCP principals allowed to bind tags (the connector and break-glass always are). */
    gcpTagAdmins: z.array(z.string().max(512).regex(/^principal(Set)?:\/\//)).max(20).default([]),
    /** OCI defined-tag namespaces holding the guarded keys. */
    ociTagNamespaces: z.array(z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/)).min(1).max(10).default(["parapet"]),
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
      gap: "Tag changes through IAM, Organizations and EC2 are refused; services whose tagging calls do not expose aws:TagKeys (for example S3 bucket tagging) are not covered.",
      compile(p, ctx) {
        const keys = new Set(p.guardedKeys);
        for (const sel of [ctx.principals.agents, ctx.principals.mcpServers, ctx.principals.nonProd]) {
          if (sel.tag) keys.add(sel.tag.key);
        }
        return awsFragment(
          ctx,
          awsDeny(ctx, {
            purpose: "LabelLock",
            policyType: "SCP",
            actions: TAGGING_AWS_ACTIONS,
            condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": [...keys].sort() } },
            alsoExempt: p.tagAdminRoleArnPatterns,
          }),
        );
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
      fidelity: "partial",
      gap: "Deny conditions cannot name the tag key a binding uses, so every tag binding change is refused except to the exempt principals and listed tag administrators; labels (as opposed to tags) are not protected.",
      sources: [
        "IAM deny policies: deny rules, attachment points and inheritance — https://cloud.google.com/iam/docs/deny-overview",
        "Permissions supported in deny policies — https://cloud.google.com/iam/docs/deny-permissions-support",
        "google.iam.v2 DenyRule (denied/exception principals, denial_condition on resource tags) — https://cloud.google.com/iam/docs/reference/rest/v2/policies#DenyRule",
      ],
      compile(p, ctx) {
        const rules = gcpDenyRule(ctx, {
          description: "Only tag administrators bind or unbind tags",
          principals: "all",
          permissions: TAGGING_GCP_PERMISSIONS,
        });
        for (const r of rules) {
          r.denyRule.exceptionPrincipals = [...new Set([...(r.denyRule.exceptionPrincipals ?? []), ...p.gcpTagAdmins])].sort();
        }
        return gcpFragment(ctx, { denyRules: rules });
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
    aws("an agent removing its agent tag is denied", "agent", "iam:UntagRole", "arn:aws:iam::222233334444:role/agent-runner", "denied", { context: { "aws:TagKeys": ["agent"] } }),
    aws("a human relabelling an account's env tag is denied", "human", "organizations:TagResource", "arn:aws:organizations::111122223333:account/o-abcdefghij/222233334444", "denied", { context: { "aws:TagKeys": ["env"] } }),
    aws("tagging with an unguarded key is allowed", "human", "ec2:CreateTags", "arn:aws:ec2:eu-west-1:222233334444:instance/i-0123456789abcdef0", "allowed", { context: { "aws:TagKeys": ["cost-center"] } }),
    aws("the connector may change guarded tags", "connector", "organizations:TagResource", "arn:aws:organizations::111122223333:account/o-abcdefghij/222233334444", "allowed", { context: { "aws:TagKeys": ["env"] } }),
    aws("break-glass may change guarded tags", "break-glass", "iam:UntagRole", "arn:aws:iam::222233334444:role/agent-runner", "allowed", { context: { "aws:TagKeys": ["agent"] } }),
    azureRequest("removing the env tag its resource group carries is denied", "write", { type: "Microsoft.Storage/storageAccounts", location: "westeurope", tags: { owner: "x" }, properties: {} }, "denied", { env: "prod" }),
    azureRequest("changing the data tag away from its resource group's value is denied", "write", { type: "Microsoft.KeyVault/vaults", location: "westeurope", tags: { data: "public" }, properties: {} }, "denied", { data: "regulated" }),
    azureRequest("keeping the resource group's value is allowed", "write", { type: "Microsoft.Storage/storageAccounts", location: "westeurope", tags: { env: "prod", team: "a" }, properties: {} }, "allowed", { env: "prod" }),
    azureRequest("a resource without guarded tags in an unlabelled group is allowed (no noise)", "write", { type: "Microsoft.Storage/storageAccounts", location: "westeurope", tags: {}, properties: {} }, "allowed", {}),
    azureRequest("an unguarded tag may change", "write", { type: "Microsoft.Storage/storageAccounts", location: "westeurope", tags: { env: "prod", cost: "42" }, properties: {} }, "allowed", { env: "prod", cost: "41" }),
    gcpDenies("tag binding changes are denied", (d) => d.includes("principalSet://goog/public:all"), TAGGING_GCP_PERMISSIONS),
    ociMatches("the guarded namespace cannot be used", [/^deny any-user to use tag-namespaces .*target.tag-namespace.name = 'parapet'/]),
    ociAdminsExempt("a tenancy administrator is not blocked (OCI exempts the Administrators group), and no statement pretends otherwise"),
  ],
});
