import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS } from "../compilers/aws-sources.ts";
import { azureFragment } from "../compilers/azure.ts";
import { gcpFragment } from "../compilers/gcp.ts";
import { OCI_SOURCES, ociFragment } from "../compilers/oci.ts";
import { aws, emptyOn } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

const params = z.object({}).strict();

export const denyRootUser = defineControl({
  id: "deny-root-user",
  title: "The root user of member accounts cannot act",
  rationale:
    "Every AWS account has a root user that can do anything and cannot be restricted by normal permissions. Day-to-day work never needs it, and its credentials are a prize for attackers. This control makes the root user of member accounts unable to do anything.",
  category: "identity",
  params,
  frameworks: [
    { framework: "CIS AWS 3.0", ref: "1.7" },
    { framework: "NIST 800-53 r5", ref: "AC-6(9)" },
    { framework: "NIST 800-53 r5", ref: "IA-2" },
  ],
  clouds: {
    aws: {
      fidelity: "enforced",
      sources: [AWS_DOCS.rootUser, AWS_DOCS.globalKeys, AWS_DOCS.scps],
      compile(_p, ctx) {
        return awsFragment(
          ctx,
          awsDeny(ctx, {
            purpose: "RootUser",
            policyType: "SCP",
            actions: ["*"],
            condition: { ArnLike: { "aws:PrincipalARN": ["arn:aws:iam::*:root"] } },
          }),
        );
      },
    },
    azure: {
      fidelity: "unsupported",
      gap: "Azure subscriptions have no root user; the nearest equivalents (Global Administrator, elevated access) are governed in Entra ID, outside Azure Policy.",
      sources: [
        "Elevate access to manage all Azure subscriptions and management groups (Entra ID Global Administrator, outside Azure Policy) — https://learn.microsoft.com/azure/role-based-access-control/elevate-access-global-admin",
      ],
      compile(_p, ctx) {
        return azureFragment(ctx, []);
      },
    },
    gcp: {
      fidelity: "unsupported",
      gap: "GCP projects have no root user; super administrators live in Cloud Identity and cannot be restricted by organization or deny policies.",
      sources: [
        "Super administrator accounts live in Cloud Identity / Google Workspace, outside organization and deny policies — https://cloud.google.com/resource-manager/docs/super-admin-best-practices",
      ],
      compile(_p, ctx) {
        return gcpFragment(ctx, {});
      },
    },
    oci: {
      fidelity: "unsupported",
      gap: "OCI's tenancy administrators (the default domain's Administrators group) are always exempt from deny policies, so no root-equivalent can be restricted.",
      sources: [OCI_SOURCES.denyPolicies, OCI_SOURCES.denyKnownIssues],
      compile(_p, ctx) {
        return ociFragment(ctx, []);
      },
    },
  },
  scenarios: [
    aws("the root user creating an access key is denied", "root", "iam:CreateAccessKey", "arn:aws:iam::222233334444:user/alice", "denied"),
    aws("the root user deleting a bucket is denied", "root", "s3:DeleteBucket", "arn:aws:s3:::prod-data", "denied"),
    aws("an IAM role is not affected", "human", "s3:DeleteBucket", "arn:aws:s3:::prod-data", "allowed"),
    aws("the connector is never denied", "connector", "iam:CreateAccessKey", "arn:aws:iam::222233334444:user/alice", "allowed"),
    aws("root of an account outside the scope is not affected", "root", "s3:DeleteBucket", "arn:aws:s3:::prod-data", "allowed", {
      inScope: false,
    }),
    emptyOn("azure", "Azure compiles nothing (unsupported)"),
    emptyOn("gcp", "GCP compiles nothing (unsupported)"),
    emptyOn("oci", "OCI compiles nothing (unsupported)"),
  ],
});
