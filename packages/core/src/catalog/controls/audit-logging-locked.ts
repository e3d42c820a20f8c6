import { z } from "zod";
import { awsDeny, awsFragment } from "../compilers/aws.ts";
import { AWS_DOCS, sarForActions } from "../compilers/aws-sources.ts";
import { azureFragment, azurePolicy } from "../compilers/azure.ts";
import { gcpDenyRule, gcpFragment } from "../compilers/gcp.ts";
import { OCI_DENY_GAP, OCI_DENY_SOURCES, OCI_SOURCES, ociDeny, ociFragment } from "../compilers/oci.ts";
import { aws, azureContains, azureRequest, GCP_RES, gcpRequest, oci, ociAdminsExempt, ociInstanceTwins } from "../scenario-kit.ts";
import { defineControl } from "../types.ts";

const AUDIT_AWS_ACTIONS = [
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

const AUDIT_GCP_PERMISSIONS = [
  "logging.googleapis.com/buckets.delete",
  "logging.googleapis.com/buckets.update",
  "logging.googleapis.com/sinks.delete",
  "logging.googleapis.com/sinks.update",
];

/** OCI API operations that switch off or remove logging, audit retention and Cloud Guard. */
const AUDIT_OCI_OPERATIONS: Record<string, string[]> = {
  "log-groups": ["DeleteLog", "DeleteLogGroup", "UpdateLog"],
  "unified-configuration": ["DeleteUnifiedAgentConfiguration"],
  "cloud-guard-family": ["DeleteTarget", "UpdateConfiguration"],
};

const DIAG = "Microsoft.Insights/diagnosticSettings";

const params = z
  .object({
    /**
     * Azure: the only destinations diagnostic settings may send to (Log Analytics workspace, storage
     * account or Event Hub authorization rule resource ids). Empty: destinations are not restricted.
     */
    azureLogDestinations: z
      .array(
        z
          .string()
          .max(512)
          .regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[A-Za-z.]+\/.+$/i, "must be an ARM resource id"),
      )
      .max(20)
      .default([]),
  })
  .strict();

const WORKSPACE = "/subscriptions/0000/resourceGroups/sec/providers/Microsoft.OperationalInsights/workspaces/sentinel";
const diagSetting = (logs: Record<string, unknown>[], workspaceId = WORKSPACE): Record<string, unknown> => ({
  type: DIAG,
  name: "to-sentinel",
  properties: { workspaceId, logs },
});

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
      sources: [
        ...sarForActions(AUDIT_AWS_ACTIONS, "the actions that stop, delete or weaken audit and detection"),
        AWS_DOCS.globalKeys,
        AWS_DOCS.scps,
        AWS_DOCS.scpSyntax,
      ],
      compile(_p, ctx) {
        return awsFragment(ctx, awsDeny(ctx, { purpose: "AuditLock", policyType: "SCP", actions: AUDIT_AWS_ACTIONS }));
      },
    },
    azure: {
      fidelity: "partial",
      gap: "Deleting a diagnostic setting, disabling one of its log categories, sending it to a destination outside the approved list (when one is set) and downgrading Defender plans are blocked for every identity; Azure Policy cannot see a setting's previous value, so a rewrite that simply omits categories it had is not refused, and Entra ID sign-in and audit log settings live outside Azure Policy.",
      sources: [
        "Azure Policy definitions denyAction effect (DELETE only; mode All for extension resources) — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny-action",
        "Azure Policy definition structure: count expressions and [*] aliases — https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#count",
        "Diagnostic settings aliases (logs[*].enabled, workspaceId, storageAccountId, eventHubAuthorizationRuleId), as the 'Enable logging by category group' built-ins use them — https://github.com/Azure/azure-policy/tree/master/built-in-policies/policyDefinitions/Monitoring",
        "Microsoft.Security/pricings/pricingTier, as the 'Microsoft Defender for … should be enabled' built-ins use it — https://github.com/Azure/azure-policy/tree/master/built-in-policies/policyDefinitions/Security%20Center",
      ],
      compile(p, ctx) {
        const destinations = [...new Set(p.azureLogDestinations)].sort();
        const weakened: Record<string, unknown>[] = [
          // A category switched off in place (the PUT keeps the entry with enabled: false).
          { count: { field: `${DIAG}/logs[*]`, where: { field: `${DIAG}/logs[*].enabled`, equals: "false" } }, greater: 0 },
        ];
        if (destinations.length > 0) {
          for (const dest of ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId"]) {
            weakened.push({
              allOf: [
                { field: `${DIAG}/${dest}`, exists: "true" },
                { field: `${DIAG}/${dest}`, notIn: "[parameters('allowedDestinations')]" },
              ],
            });
          }
        }
        return azureFragment(ctx, [
          azurePolicy(ctx, {
            purpose: "diag-weaken",
            displayName: "Diagnostic settings cannot be weakened",
            description:
              "Denies diagnostic-setting writes that disable a log category or send logs to a destination outside the approved list.",
            mode: "All",
            if: { allOf: [{ field: "type", equals: DIAG }, { anyOf: weakened }] },
            effect: { value: "deny", allowed: ["audit", "deny", "disabled"] },
            ...(destinations.length > 0
              ? {
                  params: {
                    allowedDestinations: {
                      definition: {
                        type: "Array",
                        metadata: {
                          displayName: "Approved log destinations",
                          description: "Resource ids diagnostic settings may send to.",
                        },
                      },
                      value: destinations,
                    },
                  },
                }
              : {}),
          }),
          azurePolicy(ctx, {
            purpose: "diag-delete",
            displayName: "Diagnostic settings cannot be deleted",
            description: "Blocks delete requests on diagnostic settings (denyAction).",
            mode: "All",
            if: { field: "type", equals: DIAG },
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
      sources: [
        "IAM deny policies: deny rules, attachment points and inheritance — https://cloud.google.com/iam/docs/deny-overview",
        "Permissions supported in deny policies — https://cloud.google.com/iam/docs/deny-permissions-support",
        "Cloud Logging: Data Access audit logs are configured in the IAM allow policy's auditConfigs — https://cloud.google.com/logging/docs/audit/configure-data-access",
      ],
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
            ops
              .map((op) => ociDeny(ctx, { subject: "any-user", verb: "manage", resourceType, conditions: [`request.operation = '${op}'`] }))
              .flat(),
          ),
        );
      },
    },
  },
  scenarios: [
    aws(
      "stopping CloudTrail is denied",
      "human",
      "cloudtrail:StopLogging",
      "arn:aws:cloudtrail:eu-west-1:222233334444:trail/org-trail",
      "denied",
    ),
    aws(
      "an agent deleting the GuardDuty detector is denied",
      "agent",
      "guardduty:DeleteDetector",
      "arn:aws:guardduty:eu-west-1:222233334444:detector/12abc34d567e8fa901bc2d34e56789f0",
      "denied",
    ),
    aws("stopping the Config recorder is denied", "human", "config:StopConfigurationRecorder", "*", "denied"),
    aws(
      "reading CloudTrail status is allowed",
      "human",
      "cloudtrail:GetTrailStatus",
      "arn:aws:cloudtrail:eu-west-1:222233334444:trail/org-trail",
      "allowed",
    ),
    aws(
      "break-glass can stop CloudTrail",
      "break-glass",
      "cloudtrail:StopLogging",
      "arn:aws:cloudtrail:eu-west-1:222233334444:trail/org-trail",
      "allowed",
    ),
    aws(
      "the connector is never denied",
      "connector",
      "securityhub:DisableSecurityHub",
      "arn:aws:securityhub:eu-west-1:222233334444:hub/default",
      "allowed",
    ),
    azureContains("diagnostic settings and Defender tiers are protected", [
      "Microsoft.Insights/diagnosticSettings",
      "denyAction",
      "Microsoft.Security/pricings/pricingTier",
    ]),
    azureRequest("deleting a diagnostic setting is denied", "delete", { type: DIAG, name: "to-sentinel", properties: {} }, "denied"),
    azureRequest(
      "switching off a log category of a diagnostic setting is denied",
      "write",
      diagSetting([
        { categoryGroup: "audit", enabled: false },
        { categoryGroup: "allLogs", enabled: true },
      ]),
      "denied",
    ),
    azureRequest(
      "a diagnostic setting with every category enabled is allowed",
      "write",
      diagSetting([{ categoryGroup: "audit", enabled: true }]),
      "allowed",
    ),
    azureRequest(
      "a Defender plan set to Free is denied",
      "write",
      { type: "Microsoft.Security/pricings", name: "VirtualMachines", properties: { pricingTier: "Free" } },
      "denied",
    ),
    gcpRequest("a developer deleting a log sink is denied", "human", "logging.sinks.delete", GCP_RES.sink, "denied"),
    gcpRequest("an administrator deleting a log sink is denied", "admin", "logging.sinks.delete", GCP_RES.sink, "denied"),
    gcpRequest("break-glass may delete a log sink", "break-glass", "logging.sinks.delete", GCP_RES.sink, "allowed"),
    gcpRequest("the connector may update a log sink", "connector", "logging.sinks.update", GCP_RES.sink, "allowed"),
    oci("a person cannot delete a prod log group", "human", "DeleteLogGroup", "denied"),
    oci("an agent's instance principal cannot delete a prod log group", "agent", "DeleteLogGroup", "denied"),
    oci("nobody but the exempt deletes a Cloud Guard target", "human", "DeleteTarget", "denied"),
    oci("nobody but the exempt changes the Cloud Guard configuration", "non-prod", "UpdateConfiguration", "denied"),
    oci("a person cannot delete a unified agent configuration", "human", "DeleteUnifiedAgentConfiguration", "denied"),
    oci("break-glass may delete a log group", "break-glass", "DeleteLogGroup", "allowed"),
    oci("the connector may delete a Cloud Guard target (security zones replace targets)", "connector", "DeleteTarget", "allowed"),
    oci("a tenancy administrator is exempt from OCI deny policies", "admin", "DeleteLogGroup", "allowed"),
    ociAdminsExempt("a tenancy administrator is not blocked (OCI exempts the Administrators group), and no statement pretends otherwise"),
    ociInstanceTwins(
      "an instance principal (an agent on a compute instance) is denied too: user-group exemptions do not switch its deny off",
    ),
  ],
});
