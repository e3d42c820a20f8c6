import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sar } from "../compilers/aws-sources.ts";
import { azureFragment } from "../compilers/azure.ts";
import { gcpFragment } from "../compilers/gcp.ts";
import { OCI_SOURCES, ociFragment } from "../compilers/oci.ts";
import { aws, emptyOn, GCP_RES, gcpRequest } from "../scenario-kit.ts";
import { SCENARIO_FACTS } from "../fixtures.ts";
import { defineControl } from "../types.ts";

const params = z.object({}).strict();

export const denyLeaveOrganization = defineControl({
  id: "deny-leave-organization",
  title: "Accounts cannot leave the organisation",
  rationale:
    "An account that leaves the organisation also leaves every guardrail, log and bill the organisation controls. This control makes leaving (or moving a project to another organisation) unavailable, so no one can quietly take an environment out of governance.",
  category: "organization",
  params,
  frameworks: [
    { framework: "NIST 800-53 r5", ref: "CM-5" },
    { framework: "NIST 800-53 r5", ref: "AC-2" },
  ],
  clouds: {
    aws: {
      fidelity: "enforced",
      sources: [sar("organizations", "LeaveOrganization"), AWS_DOCS.scps, AWS_DOCS.scpSyntax],
      compile(_p, ctx) {
        return awsFragment(ctx, awsDeny(ctx, { purpose: "LeaveOrg", policyType: "SCP", actions: ["organizations:LeaveOrganization"] }));
      },
    },
    azure: {
      fidelity: "detective",
      gap: "Azure Policy cannot block moving a subscription to another management group or tenant; Parapet detects the move as drift (an environment that left coverage).",
      sources: [
        "Management groups: moving subscriptions is governed by RBAC on the management groups, not Azure Policy — https://learn.microsoft.com/azure/governance/management-groups/overview",
      ],
      compile(_p, ctx) {
        return azureFragment(ctx, []);
      },
    },
    gcp: {
      fidelity: "enforced",
      sources: [
        "Organization policy constraints — https://cloud.google.com/resource-manager/docs/organization-policy/org-policy-constraints",
        "Migrate projects between organization resources (resourcemanager.allowedExportDestinations) — https://cloud.google.com/resource-manager/docs/project-migration",
      ],
      compile(_p, ctx) {
        return gcpFragment(ctx, {
          orgPolicies: [
            {
              constraint: "resourcemanager.allowedExportDestinations",
              rules: [{ values: { allowedValues: [`under:organizations/${ctx.facts.organizationId}`] } }],
            },
          ],
        });
      },
    },
    oci: {
      fidelity: "unsupported",
      gap: "An OCI compartment cannot be moved out of its tenancy, so there is nothing to prevent; the control is not applicable.",
      sources: [OCI_SOURCES.policyBasics],
      compile(_p, ctx) {
        return ociFragment(ctx, []);
      },
    },
  },
  scenarios: [
    aws("a member account leaving is denied", "human", "organizations:LeaveOrganization", "*", "denied"),
    aws("an agent leaving is denied", "agent", "organizations:LeaveOrganization", "*", "denied"),
    aws("break-glass may leave (e.g. planned divestiture)", "break-glass", "organizations:LeaveOrganization", "*", "allowed"),
    aws("the connector is never denied", "connector", "organizations:LeaveOrganization", "*", "allowed"),
    aws("other Organizations reads are unaffected", "human", "organizations:DescribeOrganization", "*", "allowed"),
    gcpRequest("moving a project to another organisation is refused", "admin", "resourcemanager.projects.move", GCP_RES.project, "denied", {
      request: {
        "@type": "type.googleapis.com/google.cloud.resourcemanager.v3.MoveProjectRequest",
        destinationParent: "organizations/999999999999",
      },
    }),
    gcpRequest(
      "moving a project to the organisation itself is allowed",
      "admin",
      "resourcemanager.projects.move",
      GCP_RES.project,
      "allowed",
      {
        request: {
          "@type": "type.googleapis.com/google.cloud.resourcemanager.v3.MoveProjectRequest",
          destinationParent: `organizations/${SCENARIO_FACTS.gcp.organizationId}`,
        },
      },
    ),
    emptyOn("azure", "Azure compiles nothing (detective via drift)"),
    emptyOn("oci", "OCI compiles nothing (not applicable)"),
  ],
});
