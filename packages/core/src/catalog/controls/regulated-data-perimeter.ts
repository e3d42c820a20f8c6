import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sar } from "../compilers/aws-sources.ts";
import { azureFragment, azurePolicy } from "../compilers/azure.ts";
import { GCP_ALL_PRINCIPALS, gcpExempt, gcpFragment } from "../compilers/gcp.ts";
import { OCI_ZONE_SOURCES, ociFragment } from "../compilers/oci.ts";
import { aws, azureRequest, GCP_RES, gcpRequest, oci } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

/** Services that accept RCPs and hold data (AWS Organizations RCP documentation). */
const PERIMETER_AWS_ACTIONS = ["dynamodb:*", "kms:*", "s3:*", "secretsmanager:*", "sqs:*", "sts:AssumeRole"];

const PERIMETER_GCP_PERMISSIONS = [
  "bigquery.googleapis.com/tables.getData",
  "secretmanager.googleapis.com/versions.access",
  "storage.googleapis.com/objects.get",
];

const params = z
  .object({
    /** AWS accounts outside the organisation allowed in (named partners). */
    partnerAccountIds: z
      .array(z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id"))
      .max(50)
      .default([]),
    /** Other AWS organisations allowed in. */
    partnerOrgIds: z
      .array(z.string().regex(/^o-[a-z0-9]{10,32}$/, "must be an AWS organization id"))
      .max(20)
      .default([]),
    /** Partner Cloud Identity customer ids allowed to hold IAM grants (the organization's own is always allowed). */
    gcpPartnerCustomerIds: z
      .array(z.string().regex(/^C[0-9a-z]{5,20}$/, "must be a Cloud Identity customer id like C03xxxx"))
      .max(20)
      .default([]),
    /** Tag (GCP: namespaced tag key, Azure: tag name) that marks regulated resources. */
    labelKey: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[A-Za-z0-9_.-]+$/)
      .default("data"),
    labelValue: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[A-Za-z0-9_.-]+$/)
      .default("regulated"),
  })
  .strict();

const OBJECT = "arn:aws:s3:::regulated-data/patients.parquet";
const KEY = "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/** The resource carries the default label (the simulator fills no resource tags by itself). */
const LABELLED = { "aws:ResourceTag/data": "regulated" };

/** All service accounts in all projects of an organization, as deny rules name them (principal identifiers doc). */
const gcpOrgServiceAccounts = (organizationId: string): string =>
  `principalSet://cloudresourcemanager.googleapis.com/organizations/${organizationId}/type/ServiceAccount`;

export const regulatedDataPerimeter = defineControl({
  id: "regulated-data-perimeter",
  title: "Regulated data stays inside the organisation",
  rationale:
    "Regulated data (health, payment, personal) must only be reachable by the organisation's own identities and the partners it has named. This control draws a perimeter around resources labelled as regulated so that a credential from any other organisation is refused, even if someone grants it access by mistake.",
  category: "data-protection",
  params,
  frameworks: [
    { framework: "NIST 800-53 r5", ref: "AC-4" },
    { framework: "NIST 800-53 r5", ref: "AC-20" },
    { framework: "NIST 800-53 r5", ref: "SC-7" },
  ],
  clouds: {
    aws: {
      fidelity: "partial",
      gap: "Only resources carrying the label are fenced, in services whose calls RCPs govern and that expose aws:ResourceTag (S3 buckets with ABAC enabled and their objects, DynamoDB tables, KMS keys, SQS queues, Secrets Manager secrets, IAM roles assumed through STS); data in RDS, EFS or OpenSearch managed domains, and S3 buckets without ABAC, is outside the perimeter.",
      sources: [
        ...(["dynamodb", "kms", "s3", "secretsmanager", "sqs", "sts"] as const).map((s) =>
          sar(s, "the data resource types (and, for STS, the assumed role) take aws:ResourceTag"),
        ),
        AWS_DOCS.s3Abac,
        AWS_DOCS.rcps,
        AWS_DOCS.rcpSyntax,
        AWS_DOCS.globalKeys,
      ],
      compile(p, ctx) {
        const orgs = [...new Set([ctx.facts.orgId, ...p.partnerOrgIds])].sort();
        const accounts = [...new Set(p.partnerAccountIds)].sort();
        return awsFragment(
          ctx,
          awsDeny(ctx, {
            purpose: "Perimeter",
            policyType: "RCP",
            actions: PERIMETER_AWS_ACTIONS,
            condition: {
              // Only labelled resources are in the perimeter: an untagged table, key or role (a
              // third-party integration's cross-account trust) is not fenced. Requests that carry no
              // resource tag at all (list calls) do not match StringEquals either.
              StringEquals: { [`aws:ResourceTag/${p.labelKey}`]: p.labelValue },
              StringNotEqualsIfExists: {
                "aws:PrincipalOrgID": orgs,
                ...(accounts.length > 0 ? { "aws:PrincipalAccount": accounts } : {}),
              },
            },
          }),
        );
      },
    },
    azure: {
      fidelity: "partial",
      gap: "Azure Policy cannot condition on the caller's tenant; the control keeps regulated storage accounts and key vaults off public networks and away from shared-key access, but an identity from another tenant granted RBAC on them is not refused.",
      sources: [
        "Azure Policy deny effect — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny",
        "Storage accounts should prevent shared key access / Storage accounts should restrict network access / Azure Key Vault should have firewall enabled (built-ins, same aliases) — https://learn.microsoft.com/azure/governance/policy/samples/built-in-policies",
      ],
      compile(p, ctx) {
        const tag = `tags['${p.labelKey}']`;
        return azureFragment(ctx, [
          azurePolicy(ctx, {
            purpose: "perimeter-storage",
            displayName: "Regulated storage accounts stay private",
            description: "Regulated storage accounts must deny public network traffic by default and disable shared-key access.",
            mode: "Indexed",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.Storage/storageAccounts" },
                { field: tag, equals: p.labelValue },
                {
                  anyOf: [
                    { field: "Microsoft.Storage/storageAccounts/networkAcls.defaultAction", notEquals: "Deny" },
                    { field: "Microsoft.Storage/storageAccounts/allowSharedKeyAccess", notEquals: "false" },
                  ],
                },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
          azurePolicy(ctx, {
            purpose: "perimeter-keyvault",
            displayName: "Regulated key vaults stay private",
            description: "Regulated key vaults must deny public network traffic by default.",
            mode: "Indexed",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.KeyVault/vaults" },
                { field: tag, equals: p.labelValue },
                { field: "Microsoft.KeyVault/vaults/networkAcls.defaultAction", notEquals: "Deny" },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
        ]);
      },
    },
    gcp: {
      fidelity: "partial",
      gap: "New grants to identities outside the named customer ids are refused and regulated resources deny reads to everyone else, but grants made before the constraint existed are not removed.",
      sources: [
        "IAM deny policies: deny rules, attachment points and inheritance — https://cloud.google.com/iam/docs/deny-overview",
        "Permissions supported in deny policies — https://cloud.google.com/iam/docs/deny-permissions-support",
        "Principal identifiers (deny policies) — https://cloud.google.com/iam/docs/principal-identifiers",
        "google.iam.v2 DenyRule (denied/exception principals, denial_condition on resource tags) — https://cloud.google.com/iam/docs/reference/rest/v2/policies#DenyRule",
        "Restricting identities by domain (iam.allowedPolicyMemberDomains takes Cloud Identity customer ids) — https://cloud.google.com/resource-manager/docs/organization-policy/restricting-domains",
      ],
      compile(p, ctx) {
        const customers = [...new Set([ctx.facts.directoryCustomerId, ...p.gcpPartnerCustomerIds])].sort();
        const tagKey = `${ctx.facts.organizationId}/${p.labelKey}`;
        return gcpFragment(ctx, {
          orgPolicies: [{ constraint: "iam.allowedPolicyMemberDomains", rules: [{ values: { allowedValues: customers } }] }],
          denyRules: [
            {
              description: "Only the organisation's identities read regulated data",
              denyRule: {
                deniedPrincipals: [GCP_ALL_PRINCIPALS],
                // A customer-id set holds the customer's users and groups, not service accounts
                // (DenyRule.denied_principals reference); the organization's own service accounts
                // need their own set: all service accounts of the organization's projects.
                exceptionPrincipals: [
                  ...new Set([
                    ...customers.map((c) => `principalSet://goog/cloudIdentityCustomerId/${c}`),
                    gcpOrgServiceAccounts(ctx.facts.organizationId),
                    ...gcpExempt(ctx),
                  ]),
                ].sort(),
                deniedPermissions: PERIMETER_GCP_PERMISSIONS,
                denialCondition: {
                  title: "regulated resources",
                  expression: `resource.matchTag('${tagKey}', '${p.labelValue}')`,
                },
              },
            },
          ],
        });
      },
    },
    oci: {
      fidelity: "partial",
      gap: "OCI has no identity-perimeter condition: cross-tenancy access is granted by admit/endorse statements that Parapet reports on; this control only prevents regulated buckets from being public or unencrypted by customer keys, with zones placed only on compartments (never the root, never over a customer's Cloud Guard target).",
      sources: OCI_ZONE_SOURCES,
      compile(_p, ctx) {
        return ociFragment(ctx, [], ["deny buckets_without_vault_key", "deny public_buckets"]);
      },
    },
  },
  scenarios: [
    aws("a principal from another organisation reading regulated data is denied", "external", "s3:GetObject", OBJECT, "denied", {
      bucketAbac: true,
      openResourcePolicy: true,
      context: LABELLED,
    }),
    aws("a principal of this organisation may read", "human", "s3:GetObject", OBJECT, "allowed", { bucketAbac: true, context: LABELLED }),
    aws("an agent of this organisation may read", "agent", "s3:GetObject", OBJECT, "allowed", { bucketAbac: true, context: LABELLED }),
    aws(
      "an outside caller listing the bucket is denied even with an open bucket policy",
      "external",
      "s3:ListBucket",
      "arn:aws:s3:::regulated-data",
      "denied",
      { bucketAbac: true, openResourcePolicy: true, context: LABELLED },
    ),
    aws("the connector is never denied", "connector", "s3:GetObject", OBJECT, "allowed", { bucketAbac: true, context: LABELLED }),
    aws("a regulated account outside the scope is not fenced", "external", "s3:GetObject", OBJECT, "allowed", {
      bucketAbac: true,
      inScope: false,
      openResourcePolicy: true,
      context: LABELLED,
    }),
    aws(
      "an outside role named like break-glass reading regulated data is denied",
      "external-break-glass",
      "s3:GetObject",
      OBJECT,
      "denied",
      { bucketAbac: true, openResourcePolicy: true, context: LABELLED },
    ),
    aws(
      "an outside role named like the connector decrypting with a regulated key is denied",
      "external-connector",
      "kms:Decrypt",
      KEY,
      "denied",
      { openResourcePolicy: true, context: LABELLED },
    ),
    aws("an unlabelled object is outside the perimeter", "external", "s3:GetObject", "arn:aws:s3:::shared-data/catalog.json", "allowed", {
      bucketAbac: true,
      openResourcePolicy: true,
      context: { "aws:ResourceTag/data": "public" },
    }),
    aws(
      "a tagged bucket without ABAC enabled is outside the perimeter (AWS ignores its tags)",
      "external",
      "s3:GetObject",
      OBJECT,
      "allowed",
      { openResourcePolicy: true, context: LABELLED },
    ),
    aws(
      "an untagged role keeps its cross-organisation trust (third-party integration)",
      "external",
      "sts:AssumeRole",
      "arn:aws:iam::222233334444:role/vendor-integration",
      "allowed",
      { openResourcePolicy: true },
    ),
    aws(
      "a labelled role cannot be assumed from another organisation",
      "external",
      "sts:AssumeRole",
      "arn:aws:iam::222233334444:role/regulated-etl",
      "denied",
      { openResourcePolicy: true, context: LABELLED },
    ),
    aws(
      "a labelled DynamoDB table is fenced",
      "external",
      "dynamodb:GetItem",
      "arn:aws:dynamodb:eu-west-1:222233334444:table/patients",
      "denied",
      { openResourcePolicy: true, context: LABELLED },
    ),
    azureRequest(
      "a regulated storage account open to public networks is denied",
      "write",
      {
        type: "Microsoft.Storage/storageAccounts",
        name: "regulated",
        location: "westeurope",
        tags: { data: "regulated" },
        properties: { allowSharedKeyAccess: false, networkAcls: { defaultAction: "Allow" } },
      },
      "denied",
    ),
    azureRequest(
      "a private regulated storage account without shared keys is allowed",
      "write",
      {
        type: "Microsoft.Storage/storageAccounts",
        name: "regulated",
        location: "westeurope",
        tags: { data: "regulated" },
        properties: { allowSharedKeyAccess: false, networkAcls: { defaultAction: "Deny" } },
      },
      "allowed",
    ),
    azureRequest(
      "an unregulated storage account is not in the perimeter",
      "write",
      {
        type: "Microsoft.Storage/storageAccounts",
        name: "scratch",
        location: "westeurope",
        tags: {},
        properties: { networkAcls: { defaultAction: "Allow" } },
      },
      "allowed",
    ),
    gcpRequest(
      "granting allUsers a role is refused (only the organisation's customer ids)",
      "admin",
      "resourcemanager.projects.setIamPolicy",
      "//cloudresourcemanager.googleapis.com/projects/prod-app",
      "denied",
      {
        request: {
          "@type": "type.googleapis.com/google.iam.v1.SetIamPolicyRequest",
          resource: "projects/prod-app",
          policy: { bindings: [{ role: "roles/viewer", members: ["allUsers"] }] },
        },
      },
    ),
    gcpRequest(
      "someone outside the organisation reading a regulated object is denied",
      "external",
      "storage.objects.get",
      GCP_RES.regulatedObject,
      "denied",
      {
        resourceTags: { data: "regulated" },
      },
    ),
    gcpRequest(
      "a member of the organisation reading a regulated object is allowed",
      "human",
      "storage.objects.get",
      GCP_RES.regulatedObject,
      "allowed",
      {
        resourceTags: { data: "regulated" },
      },
    ),
    gcpRequest(
      "the connector reading a regulated object is allowed",
      "connector",
      "storage.objects.get",
      GCP_RES.regulatedObject,
      "allowed",
      {
        resourceTags: { data: "regulated" },
      },
    ),
    gcpRequest(
      "an outsider reading an object not labelled regulated is not fenced by the perimeter",
      "external",
      "storage.objects.get",
      "//storage.googleapis.com/projects/_/buckets/public-docs/objects/a.pdf",
      "allowed",
      {
        resourceTags: { data: "public" },
      },
    ),
    gcpRequest(
      "the organization's own service accounts may read regulated data (an agent of the prod project)",
      "agent",
      "storage.objects.get",
      GCP_RES.regulatedObject,
      "allowed",
      {
        resourceTags: { data: "regulated" },
      },
    ),
    gcpRequest(
      "a service account outside the organization (named like the connector) reading a regulated object is denied",
      "external-connector",
      "storage.objects.get",
      GCP_RES.regulatedObject,
      "denied",
      { resourceTags: { data: "regulated" } },
    ),
    oci("a regulated bucket cannot be made public", "human", "UpdateBucket", "denied", { resource: { publicAccessType: "ObjectRead" } }),
    oci("a regulated bucket without a Vault key is refused", "human", "CreateBucket", "denied", {
      resource: { publicAccessType: "NoPublicAccess", kmsKeyId: null },
    }),
    oci("a private regulated bucket with a Vault key is created", "human", "CreateBucket", "allowed", {
      resource: { publicAccessType: "NoPublicAccess", kmsKeyId: "ocid1.key.oc1.eu-frankfurt-1.vault.key" },
    }),
  ],
});
