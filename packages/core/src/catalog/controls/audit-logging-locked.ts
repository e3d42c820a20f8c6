import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { azureFragment, azurePolicy } from "../compilers/azure.ts";
import { gcpDenyRule, gcpFragment } from "../compilers/gcp.ts";
import { OCI_DENY_GAP, OCI_DENY_SOURCES, OCI_SOURCES, ociDeny, ociFragment } from "../compilers/oci.ts";
import { aws, azureContains, gcpDenies, ociAdminsExempt, ociMatches } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

export const AUDIT_AWS_ACTIONS = [
  "access-analyzer:DeleteAnalyzer",
  "cloudtrail:DeleteEventDataStore",
  "cloudtrail:DeleteTrail",
  "cloudtrail:PutEventSelectors",
  "cloudtrail:StopEventDataStoreIngestion",
  "cloudtrail:StopLogging",
  "cloudtrail:UpdateTrail",
  "config:DeleteConfigurationRecorder",
  "config:DeleteDeliveryChannel",
  "config:DeleteRetentionConfiguration",
  "config:StopConfigurationRecorder",
  "guardduty:DeleteDetector",
  "guardduty:DeleteMembers",
  "guardduty:DisassociateFromAdministratorAccount",
  "guardduty:DisassociateFromMasterAccount",
  "guardduty:StopMonitoringMembers",
  "guardduty:UpdateDetector",
  "securityhub:DeleteMembers",
  "securityhub:DisableSecurityHub",
  "securityhub:DisassociateFromAdministratorAccount",
  "securityhub:DisassociateFromMasterAccount",
];

export const AUDIT_GCP_PERMISSIONS = [
  "logging.googleapis.com/buckets.delete",
  "logging.googleapis.com/buckets.update",
  "logging.googleapis.com/sinks.delete",
  "logging.googleapis.com/sinks.update",
];

/** OCI API operations that switch off or remove logging, audit retention and Cloud Guard. */
export const AUDIT_OCI_OPERATIONS: Record<string, string[]> = {
  "log-groups": ["DeleteLog", "DeleteLogGroup", "UpdateLog"],
  "unified-configuration": ["DeleteUnifiedAgentConfiguration"],
  "cloud-guard-family": ["DeleteTarget", "UpdateConfiguration"],
};

const params = z.object({}).strict();

export const auditLoggingLocked = defineControl({
  id: "audit-logging-locked",
  title: "Audit logging and security services cannot be switched off",
  rationale:
    "Audit trails are how an organisation learns what happened after an incident, and switching them off is a classic first move of an intruder or a careless script. This control makes disabling or weakening audit logging and threat detection unavailable to everyone except break-glass.",
  category: "logging",
  params,
  frameworks: [
    { framework: "CIS AWS 3.0", ref: "3.1" },
    { framework: "NIST 800-53 r5", ref: "AU-9" },
    { framework: "NIST 800-53 r5", ref: "AU-12" },
    { framework: "NIST 800-53 r5", ref: "SI-4" },
  ],
  clouds: {
    aws: {
      fidelity: "enforced",
      compile(_p, ctx) {
        return awsFragment(ctx, awsDeny(ctx, { purpose: "AuditLock", policyType: "SCP", actions: AUDIT_AWS_ACTIONS }));
      },
    },
    azure: {
      fidelity: "partial",
      gap: "Deleting diagnostic settings and downgrading Defender plans are blocked for every identity, but Entra ID sign-in and audit log settings live outside Azure Policy and are not covered.",
      compile(_p, ctx) {
        return azureFragment(ctx, [
          azurePolicy(ctx, {
            purpose: "diag-delete",
            displayName: "Diagnostic settings cannot be deleted",
            description: "Blocks delete requests on diagnostic settings (denyAction).",
            mode: "All",
            if: { field: "type", equals: "Microsoft.Insights/diagnosticSettings" },
            effect: { value: "denyAction", allowed: ["denyAction", "disabled"] },
            details: { actionNames: ["delete"] },
          }),
          azurePolicy(ctx, {
            purpose: "defender-tier",
            displayName: "Defender plans cannot be set to Free",
            description: "Denies downgrading a Microsoft Defender for Cloud plan to the Free tier.",
            mode: "All",
            if: {
              allOf: [
                { field: "type", equals: "Microsoft.Security/pricings" },
                { field: "Microsoft.Security/pricings/pricingTier", equals: "Free" },
              ],
            },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
          }),
        ]);
      },
    },
    gcp: {
      fidelity: "partial",
      gap: "Log sinks and log buckets are locked, but Data Access audit-log configuration is part of the IAM allow policy and cannot be locked without blocking every IAM change, and Security Command Center settings are not covered.",
      compile(_p, ctx) {
        return gcpFragment(ctx, {
          denyRules: gcpDenyRule(ctx, {
            description: "Nobody but break-glass deletes or changes log sinks and log buckets",
            principals: "all",
            permissions: AUDIT_GCP_PERMISSIONS,
          }),
        });
      },
    },
    oci: {
      fidelity: "partial",
      gap: `Log, log-group, unified agent and Cloud Guard changes are denied; the tenancy's Audit retention setting and Events rules are not covered. ${OCI_DENY_GAP}`,
      sources: [...OCI_DENY_SOURCES, OCI_SOURCES.logging, OCI_SOURCES.cloudGuard],
      compile(_p, ctx) {
        return ociFragment(
          ctx,
          Object.entries(AUDIT_OCI_OPERATIONS).flatMap(([resourceType, ops]) =>
            ops.map((op) => ociDeny(ctx, { subject: "any-user", verb: "manage", resourceType, conditions: [`request.operation = '${op}'`] })).flat(),
          ),
        );
      },
    },
  },
  scenarios: [
    aws("stopping CloudTrail is denied", "human", "cloudtrail:StopLogging", "arn:aws:cloudtrail:eu-west-1:222233334444:trail/org-trail", "denied"),
    aws("an agent deleting the GuardDuty detector is denied", "agent", "guardduty:DeleteDetector", "arn:aws:guardduty:eu-west-1:222233334444:detector/12abc34d567e8fa901bc2d34e56789f0", "denied"),
    aws("stopping the Config recorder is denied", "human", "config:StopConfigurationRecorder", "*", "denied"),
    aws("reading CloudTrail status is allowed", "human", "cloudtrail:GetTrailStatus", "arn:aws:cloudtrail:eu-west-1:222233334444:trail/org-trail", "allowed"),
    aws("break-glass can stop CloudTrail", "break-glass", "cloudtrail:StopLogging", "arn:aws:cloudtrail:eu-west-1:222233334444:trail/org-trail", "allowed"),
    aws("the connector is never denied", "connector", "securityhub:DisableSecurityHub", "arn:aws:securityhub:eu-west-1:222233334444:hub/default", "allowed"),
    azureContains("diagnostic settings and Defender tiers are protected", ["Microsoft.Insights/diagnosticSettings", "denyAction", "Microsoft.Security/pricings/pricingTier"]),
    gcpDenies("sink deletion is denied to everyone but the exempt", (d) => d.includes("principalSet://goog/public:all"), [
      "logging.googleapis.com/sinks.delete",
    ]),
    ociMatches("log group deletion is denied tenancy-wide", [/^deny any-user to manage log-groups .*request.operation = 'DeleteLogGroup'/]),
    ociAdminsExempt("a tenancy administrator is not blocked (OCI exempts the Administrators group), and no statement pretends otherwise"),
  ],
});
