import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sarForActions } from "../compilers/aws-sources.ts";
import { azureFragment, azurePolicy } from "../compilers/azure.ts";
import { gcpDenyRule, gcpFragment } from "../compilers/gcp.ts";
import { OCI_DENY_SOURCES, OCI_SOURCES, ociDeny, ociFragment } from "../compilers/oci.ts";
import { aws, azureRequest, GCP_RES, gcpRequest, oci, ociAdminsExempt } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

const SECRET_AWS_ACTIONS = ["kms:Decrypt", "kms:ReEncryptFrom", "secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"];

const SECRET_GCP_PERMISSIONS = ["cloudkms.googleapis.com/cryptoKeyVersions.useToDecrypt", "secretmanager.googleapis.com/versions.access"];

const params = z.object({}).strict();

const SECRET = "arn:aws:secretsmanager:eu-west-1:222233334444:secret:prod/db-password-AbCdEf";

export const nonprodNoProdSecrets = defineControl({
  id: "nonprod-no-prod-secrets",
  title: "Non-production identities cannot read production secrets",
  rationale:
    "Test and development systems are less protected than production, so their credentials leak more often. If they can read production passwords and keys, a leak in test becomes a breach in production. This control refuses production secret and key reads to every identity marked as non-production.",
  category: "identity",
  params,
  frameworks: [
    { framework: "NIST 800-53 r5", ref: "AC-6" },
    { framework: "NIST 800-53 r5", ref: "SC-12" },
    { framework: "NIST 800-53 r5", ref: "SC-28" },
  ],
  clouds: {
    aws: {
      fidelity: "partial",
      gap: "Secrets Manager and KMS are fenced by an RCP; secrets kept elsewhere (SSM Parameter Store String parameters, S3 objects, environment variables) are not.",
      sources: [
        ...sarForActions(SECRET_AWS_ACTIONS, "the secret-read and decrypt actions"),
        AWS_DOCS.rcps,
        AWS_DOCS.rcpSyntax,
        AWS_DOCS.globalKeys,
      ],
      compile(_p, ctx) {
        return awsFragment(
          ctx,
          awsDeny(ctx, { purpose: "NonProdSecrets", policyType: "RCP", actions: SECRET_AWS_ACTIONS, subject: ctx.principals.nonProd }),
        );
      },
    },
    azure: {
      fidelity: "partial",
      gap: "Azure Policy cannot refuse a secret read to a given identity; the control forces production key vaults onto RBAC authorisation and private networking, and non-production identities holding Key Vault data roles are reported, not blocked.",
      sources: [
        "Azure Policy deny effect — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny",
        "Azure Key Vault should use RBAC permission model / Azure Key Vault should have firewall enabled (built-ins, same aliases) — https://learn.microsoft.com/azure/governance/policy/samples/built-in-policies",
      ],
      compile(_p, ctx) {
        return azureFragment(ctx, [
          azurePolicy(ctx, {
            purpose: "kv-rbac-private",
            displayName: "Production key vaults use RBAC and private networking",
            description: "Denies key vaults that use access policies instead of RBAC or accept public network traffic.",
            mode: "Indexed",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.KeyVault/vaults" },
                {
                  anyOf: [
                    { field: "Microsoft.KeyVault/vaults/enableRbacAuthorization", notEquals: "true" },
                    { field: "Microsoft.KeyVault/vaults/networkAcls.defaultAction", notEquals: "Deny" },
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
        "IAM deny policies: deny rules, attachment points and inheritance — https://cloud.google.com/iam/docs/deny-overview",
        "Permissions supported in deny policies — https://cloud.google.com/iam/docs/deny-permissions-support",
        "google.iam.v2 DenyRule (denied/exception principals, denial_condition on resource tags) — https://cloud.google.com/iam/docs/reference/rest/v2/policies#DenyRule",
      ],
      compile(_p, ctx) {
        return gcpFragment(ctx, {
          denyRules: gcpDenyRule(ctx, {
            description: "Non-production principals cannot read production secrets or decrypt with production keys",
            principals: ctx.principals.nonProd,
            permissions: SECRET_GCP_PERMISSIONS,
          }),
        });
      },
    },
    oci: {
      fidelity: "partial",
      gap: "Non-production groups cannot read production secrets or use production keys, except members who are also in the default domain's Administrators group or hold an identity-domain administrator role: OCI exempts them from every deny.",
      sources: [...OCI_DENY_SOURCES, OCI_SOURCES.vault],
      compile(_p, ctx) {
        return ociFragment(ctx, [
          ...ociDeny(ctx, { subject: ctx.principals.nonProd, verb: "read", resourceType: "secret-family" }),
          ...ociDeny(ctx, { subject: ctx.principals.nonProd, verb: "use", resourceType: "keys" }),
        ]);
      },
    },
  },
  scenarios: [
    aws("a non-prod principal reading a prod secret is denied", "non-prod", "secretsmanager:GetSecretValue", SECRET, "denied"),
    aws(
      "a non-prod principal decrypting with a prod key is denied",
      "non-prod",
      "kms:Decrypt",
      "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "denied",
    ),
    aws("a prod human reading the secret is allowed", "human", "secretsmanager:GetSecretValue", SECRET, "allowed"),
    aws("the connector is never denied", "connector", "secretsmanager:GetSecretValue", SECRET, "allowed"),
    aws("break-glass is never denied", "break-glass", "secretsmanager:GetSecretValue", SECRET, "allowed"),
    // An outside account can name a role like the break-glass role and tag it env=nonprod: the exemption must not follow the name out of the organisation.
    aws(
      "an outside non-prod role named like break-glass reading a prod secret is denied",
      "external-break-glass",
      "secretsmanager:GetSecretValue",
      SECRET,
      "denied",
      { openResourcePolicy: true, context: { "aws:PrincipalTag/env": "nonprod" } },
    ),
    aws(
      "an outside non-prod role named like the connector decrypting with a prod key is denied",
      "external-connector",
      "kms:Decrypt",
      "arn:aws:kms:eu-west-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "denied",
      { openResourcePolicy: true, context: { "aws:PrincipalTag/env": "nonprod" } },
    ),
    aws("non-prod secrets outside the scope remain readable", "non-prod", "secretsmanager:GetSecretValue", SECRET, "allowed", {
      inScope: false,
    }),
    azureRequest(
      "a key vault on access policies is denied",
      "write",
      {
        type: "Microsoft.KeyVault/vaults",
        name: "kv",
        location: "westeurope",
        properties: { enableRbacAuthorization: false, networkAcls: { defaultAction: "Deny" } },
      },
      "denied",
    ),
    azureRequest(
      "a private key vault on RBAC is allowed",
      "write",
      {
        type: "Microsoft.KeyVault/vaults",
        name: "kv",
        location: "westeurope",
        properties: { enableRbacAuthorization: true, networkAcls: { defaultAction: "Deny" } },
      },
      "allowed",
    ),
    gcpRequest(
      "a non-prod principal reading a prod secret is denied",
      "non-prod",
      "secretmanager.versions.access",
      GCP_RES.secretVersion,
      "denied",
    ),
    gcpRequest("a developer reading a prod secret is allowed", "human", "secretmanager.versions.access", GCP_RES.secretVersion, "allowed"),
    oci("a non-prod user cannot read a prod secret's contents", "non-prod", "GetSecretBundle", "denied"),
    oci("a non-prod user cannot decrypt with a prod key", "non-prod", "Decrypt", "denied"),
    oci(
      "a non-prod user still lists prod secrets' metadata (a deny on read covers read and above, not inspect)",
      "non-prod",
      "ListSecrets",
      "allowed",
    ),
    oci("a person outside non-prod reads the prod secret", "human", "GetSecretBundle", "allowed"),
    oci("break-glass reads the prod secret", "break-glass", "GetSecretBundle", "allowed"),
    oci("non-prod secrets stay readable outside prod", "non-prod", "GetSecretBundle", "allowed", { inScope: false }),
    ociAdminsExempt("a tenancy administrator is not blocked (OCI exempts the Administrators group), and no statement pretends otherwise"),
  ],
});
