import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS } from "../compilers/aws-sources.ts";
import { azureFragment, azurePolicy } from "../compilers/azure.ts";
import { gcpFragment } from "../compilers/gcp.ts";
import { OCI_DENY_GAP, OCI_DENY_SOURCES, ociDeny, ociFragment } from "../compilers/oci.ts";
import { aws, azureContains, azureRequest, GCP_RES, gcpRequest, oci, ociAdminsExempt, ociInstanceTwins } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

/**
 * Global services whose calls are served from us-east-1 (or have no region) and must stay
 * callable whatever the region list; after AWS's region-deny SCP example.
 */
const AWS_GLOBAL_SERVICE_ACTIONS = [
  "a4b:*",
  "access-analyzer:*",
  "account:*",
  "acm:*",
  "aws-marketplace-management:*",
  "aws-marketplace:*",
  "aws-portal:*",
  "budgets:*",
  "ce:*",
  "chime:*",
  "cloudfront:*",
  "config:*",
  "cur:*",
  "directconnect:*",
  "ec2:DescribeRegions",
  "ec2:DescribeTransitGateways",
  "ec2:DescribeVpnGateways",
  "fms:*",
  "globalaccelerator:*",
  "health:*",
  "iam:*",
  "importexport:*",
  "kms:*",
  "mobileanalytics:*",
  "networkmanager:*",
  "organizations:*",
  "pricing:*",
  "route53-recovery-cluster:*",
  "route53-recovery-control-config:*",
  "route53-recovery-readiness:*",
  "route53:*",
  "route53domains:*",
  "s3:GetAccountPublic*",
  "s3:ListAllMyBuckets",
  "s3:ListMultiRegionAccessPoints",
  "s3:PutAccountPublic*",
  "shield:*",
  "sts:*",
  "support:*",
  "trustedadvisor:*",
  "waf-regional:*",
  "waf:*",
  "wafv2:*",
  "wellarchitected:*",
];

const region = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9:-]+$/i, "invalid region");
const params = z
  .object({
    aws: z.array(region).min(1).max(40).default(["eu-central-1", "eu-west-1", "us-east-1"]),
    azure: z.array(region).min(1).max(60).default(["northeurope", "westeurope"]),
    /** Values for gcp.resourceLocations, e.g. `in:eu-locations` or `europe-west1`. */
    gcp: z.array(region).min(1).max(60).default(["in:eu-locations"]),
    /** OCI region keys as `request.region` reports them (e.g. FRA, AMS, IAD). */
    oci: z
      .array(z.string().regex(/^[A-Z]{3}$/, "must be a 3-letter OCI region key"))
      .min(1)
      .max(40)
      .default(["AMS", "FRA"]),
  })
  .strict();

export const restrictRegions = defineControl({
  id: "restrict-regions",
  title: "Resources only in approved regions",
  rationale:
    "Data residency rules and a smaller attack surface both call for keeping workloads in the regions the organisation has approved. This control refuses creating or running resources anywhere else, while global services such as identity and billing keep working.",
  category: "organization",
  params,
  frameworks: [
    { framework: "NIST 800-53 r5", ref: "AC-3" },
    { framework: "NIST 800-53 r5", ref: "SA-9(5)" },
  ],
  clouds: {
    aws: {
      fidelity: "enforced",
      sources: [AWS_DOCS.regions, AWS_DOCS.globalKeys, AWS_DOCS.scpSyntax],
      compile(p, ctx) {
        return awsFragment(
          ctx,
          awsDeny(ctx, {
            purpose: "Regions",
            policyType: "SCP",
            notActions: AWS_GLOBAL_SERVICE_ACTIONS,
            condition: { StringNotEquals: { "aws:RequestedRegion": [...new Set(p.aws)].sort() } },
          }),
        );
      },
    },
    azure: {
      fidelity: "enforced",
      sources: [
        "Azure Policy deny effect — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny",
        "Azure Policy definition structure: mode (Indexed evaluates resources with tags and location; All adds resource groups and extension resources) — https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics",
        "Allowed locations (built-in e56962a6) — https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/General/AllowedLocations_Deny.json",
        "Allowed locations for resource groups (built-in e765b5de) — https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/General/ResourceGroupAllowedLocations_Deny.json",
      ],
      compile(p, ctx) {
        return azureFragment(ctx, [
          azurePolicy(ctx, {
            purpose: "locations",
            displayName: "Allowed locations",
            description: "Denies resources outside the approved locations (global resources excepted).",
            mode: "Indexed",
            if: {
              allOf: [
                { field: "location", notIn: "[parameters('listOfAllowedLocations')]" },
                { field: "location", notEquals: "global" },
                { field: "type", notEquals: "Microsoft.AzureActiveDirectory/b2cDirectories" },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
            params: {
              listOfAllowedLocations: {
                definition: { type: "Array", metadata: { displayName: "Allowed locations" } },
                value: [...new Set(p.azure)].sort(),
              },
            },
          }),
          // Mode Indexed never evaluates resource groups; built-in e765b5de ("Allowed locations for
          // resource groups", General/ResourceGroupAllowedLocations_Deny.json) covers them in mode All.
          azurePolicy(ctx, {
            purpose: "rg-locations",
            displayName: "Allowed locations for resource groups",
            description: "Denies resource groups outside the approved locations.",
            mode: "All",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.Resources/subscriptions/resourceGroups" },
                { field: "location", notIn: "[parameters('listOfAllowedLocations')]" },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
            params: {
              listOfAllowedLocations: {
                definition: { type: "Array", metadata: { displayName: "Allowed locations" } },
                value: [...new Set(p.azure)].sort(),
              },
            },
          }),
        ]);
      },
    },
    gcp: {
      fidelity: "enforced",
      sources: [
        "Organization policy constraints — https://cloud.google.com/resource-manager/docs/organization-policy/org-policy-constraints",
        "Restricting resource locations (gcp.resourceLocations, value groups) — https://cloud.google.com/resource-manager/docs/organization-policy/defining-locations",
      ],
      compile(p, ctx) {
        return gcpFragment(ctx, {
          orgPolicies: [{ constraint: "gcp.resourceLocations", rules: [{ values: { allowedValues: [...new Set(p.gcp)].sort() } }] }],
        });
      },
    },
    oci: {
      fidelity: "partial",
      gap: `Requests outside the approved regions are denied to everyone but the exempt principals. ${OCI_DENY_GAP}`,
      sources: OCI_DENY_SOURCES,
      compile(p, ctx) {
        const regions = [...new Set(p.oci)].sort();
        return ociFragment(
          ctx,
          ociDeny(ctx, {
            subject: "any-user",
            verb: "manage",
            resourceType: "all-resources",
            conditions: regions.map((r) => `request.region != '${r}'`),
          }),
        );
      },
    },
  },
  scenarios: [
    aws(
      "launching an instance in an unapproved region is denied",
      "human",
      "ec2:RunInstances",
      "arn:aws:ec2:ap-southeast-2:222233334444:instance/*",
      "denied",
      { context: { "aws:RequestedRegion": "ap-southeast-2" } },
    ),
    aws(
      "launching in an approved region is allowed",
      "human",
      "ec2:RunInstances",
      "arn:aws:ec2:eu-west-1:222233334444:instance/*",
      "allowed",
      { context: { "aws:RequestedRegion": "eu-west-1" } },
    ),
    aws("IAM (global) still works from any region", "human", "iam:CreateRole", "arn:aws:iam::222233334444:role/app", "allowed", {
      context: { "aws:RequestedRegion": "us-east-1" },
    }),
    aws("an agent is refused too", "agent", "s3:CreateBucket", "arn:aws:s3:::new-bucket", "denied", {
      context: { "aws:RequestedRegion": "sa-east-1" },
    }),
    aws(
      "break-glass can act in any region",
      "break-glass",
      "ec2:RunInstances",
      "arn:aws:ec2:ap-southeast-2:222233334444:instance/*",
      "allowed",
      { context: { "aws:RequestedRegion": "ap-southeast-2" } },
    ),
    aws("the connector is never denied", "connector", "ec2:RunInstances", "arn:aws:ec2:ap-southeast-2:222233334444:instance/*", "allowed", {
      context: { "aws:RequestedRegion": "ap-southeast-2" },
    }),
    azureContains("allowed locations exclude global", ["listOfAllowedLocations", "global"]),
    azureRequest(
      "a resource group outside the allowed locations is denied",
      "write",
      { type: "Microsoft.Resources/subscriptions/resourceGroups", name: "rg-us", location: "eastus" },
      "denied",
    ),
    azureRequest(
      "a resource group in an allowed location is allowed",
      "write",
      { type: "Microsoft.Resources/subscriptions/resourceGroups", name: "rg-eu", location: "westeurope" },
      "allowed",
    ),
    azureRequest(
      "a storage account outside the allowed locations is denied",
      "write",
      { type: "Microsoft.Storage/storageAccounts", name: "sa", location: "eastus", properties: {} },
      "denied",
    ),
    azureRequest(
      "a global resource is allowed",
      "write",
      { type: "Microsoft.Network/frontDoors", name: "fd", location: "global", properties: {} },
      "allowed",
    ),
    gcpRequest("a bucket created in us-east1 is refused", "human", "storage.buckets.create", GCP_RES.newBucket, "denied", {
      location: "us-east1",
    }),
    gcpRequest("a bucket created in europe-west1 is allowed", "human", "storage.buckets.create", GCP_RES.newBucket, "allowed", {
      location: "europe-west1",
    }),
    oci("a person cannot delete in Ashburn", "human", "DeleteBucket", "denied", { region: "us-ashburn-1" }),
    oci("an agent's instance principal cannot create in Ashburn", "agent", "CreateVolume", "denied", { region: "us-ashburn-1" }),
    oci("Frankfurt is approved", "human", "DeleteBucket", "allowed", { region: "eu-frankfurt-1" }),
    oci("Amsterdam is approved", "human", "CreateBucket", "allowed", { region: "eu-amsterdam-1" }),
    oci("reads are not managed, so they pass everywhere (deny manage covers only manage)", "human", "GetBucket", "allowed", {
      region: "us-ashburn-1",
    }),
    oci("the connector manages policies from any region", "connector", "UpdatePolicy", "allowed", { region: "us-ashburn-1" }),
    oci("break-glass works from any region", "break-glass", "DeleteBucket", "allowed", { region: "us-ashburn-1" }),
    ociAdminsExempt("a tenancy administrator is not blocked (OCI exempts the Administrators group), and no statement pretends otherwise"),
    ociInstanceTwins(
      "an instance principal (an agent on a compute instance) is denied too: user-group exemptions do not switch its deny off",
    ),
  ],
});
