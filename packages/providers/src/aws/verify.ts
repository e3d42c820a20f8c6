import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  TagResourceCommand,
  UpdatePolicyCommand,
} from "@aws-sdk/client-organizations";
import { mapLimit } from "../common/concurrency.ts";
import { publicMessage } from "../contract/public-message.ts";
import type { PermissionCheck, VerifyResult } from "../contract/types.ts";
import { isCode, type AwsContext } from "./context.ts";
import { classifyAwsError } from "./errors.ts";
import { AWS_OWNER_TAG_KEY } from "./markers.ts";
import { auditPermissions, minimumPermissions } from "./permissions.ts";
import { AWS_AUDIT_REGION } from "./audit.ts";
import { LookupEventsCommand } from "@aws-sdk/client-cloudtrail";

const FULL_AWS_ACCESS_ID = "p-FullAWSAccess";
/**
 * The policy id the write probes name, so they hit "not found" and change nothing. The API reference
 * allows `p-` plus 8 to 128 of [0-9a-zA-Z_]; AWS mints `p-` plus 8 lowercase letters or digits, and
 * emulators (moto: `p-[a-z0-9]{8}`) accept only that form and answer InvalidInputException otherwise,
 * which verify would misread as a refusal. So: the minted form, in a value nobody is likely to hold
 * (one chance in 36^8 per policy of the organisation).
 */
export const PROBE_POLICY_ID = "p-parapet0";
/** An account id of the documented shape (12 digits) that AWS never assigns to a member account. */
const PROBE_ACCOUNT_ID = "000000000000";

/**
 * Checks the credentials: who they are (STS), which organization they reach, that SCPs are enabled,
 * and every Organizations permission the adapter uses — reads directly, writes with requests IAM
 * authorizes and the service then rejects.
 */
export async function verifyAws(ctx: AwsContext): Promise<VerifyResult> {
  const checks: PermissionCheck[] = [];
  const missing: string[] = [];
  let identity: string | undefined;
  let callerAccount: string | undefined;
  try {
    const who = await ctx.clients.callerIdentity();
    identity = who.arn;
    callerAccount = who.account;
    checks.push({ permission: "sts:GetCallerIdentity", ok: true, detail: who.arn });
  } catch (e) {
    const pe = classifyAwsError(e, "sts:GetCallerIdentity");
    const assume = pe.operation === "sts:AssumeRole";
    const perm = assume ? "sts:AssumeRole" : "sts:GetCallerIdentity";
    checks.push({ permission: perm, ok: false, detail: publicMessage(pe) });
    if (assume && pe.kind === "auth") missing.push("sts:AssumeRole (the role's trust policy must allow Parapet with this external id)");
    return { ok: false, checks, missing, error: publicMessage(pe) };
  }

  let rootId: string | undefined;
  let error: string | undefined;
  /**
   * `degraded`: what is lost without the permission when the connection still works without it. Such a
   * permission is reported as missing in `checks` but does not fail verification: a role set up before
   * it was added keeps its connection (issue 15 added targeted discovery's reads; without them a cloud
   * event costs a full sweep instead of a few reads).
   */
  const probe = async (action: string, fn: () => Promise<unknown>, okCodes: string[] = [], degraded?: string): Promise<void> => {
    try {
      await fn();
      checks.push({ permission: `organizations:${action}`, ok: true });
    } catch (e) {
      const pe = classifyAwsError(e, action);
      // A probe of a write answers "not found" / "malformed" only after IAM allowed the call.
      if (okCodes.some((c) => isCode(pe, c))) {
        checks.push({ permission: `organizations:${action}`, ok: true });
      } else if (pe.kind === "auth" && degraded) {
        checks.push({ permission: `organizations:${action}`, ok: false, detail: `access denied (optional: ${degraded})` });
      } else if (pe.kind === "auth") {
        checks.push({ permission: `organizations:${action}`, ok: false, detail: "access denied" });
        missing.push(`organizations:${action}`);
      } else {
        checks.push({ permission: `organizations:${action}`, ok: false, detail: `could not be checked: ${publicMessage(pe)}` });
        error ??= `Some permissions could not be checked (${action}: ${publicMessage(pe)}).`;
      }
    }
  };

  const org = ctx.clients.org;
  await probe("DescribeOrganization", async () => {
    const r = await ctx.call("DescribeOrganization", false, () => org.send(new DescribeOrganizationCommand({})));
    const o = r.Organization;
    if (ctx.facts.orgId && o?.Id && o.Id !== ctx.facts.orgId) {
      error = `These credentials reach organization ${o.Id}, but this connection is for ${ctx.facts.orgId}.`;
    }
    if (ctx.facts.managementAccountId && o?.MasterAccountId && o.MasterAccountId !== ctx.facts.managementAccountId) {
      error = `The organization's management account is ${o.MasterAccountId}, but this connection expects ${ctx.facts.managementAccountId}.`;
    }
    if (o?.MasterAccountId && callerAccount && o.MasterAccountId !== callerAccount) {
      checks.push({
        permission: "management-account",
        ok: true,
        detail: `credentials are in account ${callerAccount}, not the management account ${o.MasterAccountId}: policy writes need a delegated administrator for Organizations policies`,
      });
    }
  });
  let scpEnabled = false;
  await probe("ListRoots", async () => {
    const roots = await ctx.paged("ListRoots", async (NextToken) => {
      const r = await org.send(new ListRootsCommand({ MaxResults: ctx.pageSize, NextToken }));
      return { items: r.Roots, next: r.NextToken };
    });
    const root = roots[0];
    rootId = root?.Id;
    const enabled = new Set((root?.PolicyTypes ?? []).filter((t) => t.Status === "ENABLED").map((t) => t.Type));
    scpEnabled = enabled.has("SERVICE_CONTROL_POLICY");
    checks.push({
      permission: "policy-type:SERVICE_CONTROL_POLICY",
      ok: scpEnabled,
      ...(scpEnabled ? {} : { detail: "service control policies are not enabled on the root" }),
    });
    const rcp = enabled.has("RESOURCE_CONTROL_POLICY");
    checks.push({
      permission: "policy-type:RESOURCE_CONTROL_POLICY",
      ok: rcp,
      ...(rcp ? {} : { detail: "resource control policies are not enabled on the root; RCP guardrails cannot deploy" }),
    });
  });
  const root = rootId ?? ctx.facts.rootId;
  if (!root) return { ok: false, identity, checks, missing, error: error ?? "The organization's root could not be read." };

  const write = <T>(op: string, fn: () => Promise<T>): Promise<T> => ctx.call(op, true, fn);
  const read = <T>(op: string, fn: () => Promise<T>): Promise<T> => ctx.call(op, false, fn);
  const TARGETED = "without it a cloud event costs a full discovery sweep instead of a few reads";
  const probes: Array<[string, () => Promise<unknown>, string[]?, string?]> = [
    [
      "ListOrganizationalUnitsForParent",
      () =>
        read("ListOrganizationalUnitsForParent", () =>
          org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root, MaxResults: 1 })),
        ),
    ],
    ["ListAccounts", () => read("ListAccounts", () => org.send(new ListAccountsCommand({ MaxResults: 1 })))],
    [
      "ListAccountsForParent",
      () => read("ListAccountsForParent", () => org.send(new ListAccountsForParentCommand({ ParentId: root, MaxResults: 1 }))),
    ],
    ["ListTagsForResource", () => read("ListTagsForResource", () => org.send(new ListTagsForResourceCommand({ ResourceId: root })))],
    // Targeted discovery's reads, probed with ids no organization has: "not found" is answered only after IAM allowed the call.
    [
      "DescribeAccount",
      () => read("DescribeAccount", () => org.send(new DescribeAccountCommand({ AccountId: PROBE_ACCOUNT_ID }))),
      ["AccountNotFoundException"],
      TARGETED,
    ],
    [
      "DescribeOrganizationalUnit",
      () =>
        read("DescribeOrganizationalUnit", () =>
          org.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: `ou-${root.slice(2)}-parapet0` })),
        ),
      ["OrganizationalUnitNotFoundException"],
      TARGETED,
    ],
    [
      "ListParents",
      () => read("ListParents", () => org.send(new ListParentsCommand({ ChildId: PROBE_ACCOUNT_ID }))),
      ["ChildNotFoundException"],
      TARGETED,
    ],
    [
      "ListPolicies",
      () => read("ListPolicies", () => org.send(new ListPoliciesCommand({ Filter: "SERVICE_CONTROL_POLICY", MaxResults: 1 }))),
    ],
    [
      "DescribePolicy",
      () => read("DescribePolicy", () => org.send(new DescribePolicyCommand({ PolicyId: FULL_AWS_ACCESS_ID }))),
      ["PolicyNotFoundException"],
    ],
    [
      "ListTargetsForPolicy",
      () => read("ListTargetsForPolicy", () => org.send(new ListTargetsForPolicyCommand({ PolicyId: FULL_AWS_ACCESS_ID, MaxResults: 1 }))),
      ["PolicyNotFoundException"],
    ],
    [
      "ListPoliciesForTarget",
      () =>
        read("ListPoliciesForTarget", () =>
          org.send(new ListPoliciesForTargetCommand({ TargetId: root, Filter: "SERVICE_CONTROL_POLICY", MaxResults: 1 })),
        ),
    ],
    // Writes are probed with requests IAM authorizes first and the service then rejects: a malformed
    // document, a policy id that cannot exist. Nothing changes; CloudTrail records failed calls.
    [
      "CreatePolicy",
      async () => {
        const r = await write("CreatePolicy", () =>
          org.send(
            new CreatePolicyCommand({
              Name: `${ctx.wsPrefix}permission-probe`,
              Description: "Parapet permission probe",
              Type: "SERVICE_CONTROL_POLICY",
              Content: "{}",
              Tags: [{ Key: AWS_OWNER_TAG_KEY, Value: ctx.ws }],
            }),
          ),
        );
        // An endpoint that accepted "{}" got a policy; remove it again.
        const id = r.Policy?.PolicySummary?.Id;
        if (id) await write("DeletePolicy", () => org.send(new DeletePolicyCommand({ PolicyId: id })));
      },
      ["MalformedPolicyDocumentException", "DuplicatePolicyException", "InvalidInputException"],
    ],
    [
      "TagResource",
      () =>
        write("TagResource", () =>
          org.send(new TagResourceCommand({ ResourceId: PROBE_POLICY_ID, Tags: [{ Key: AWS_OWNER_TAG_KEY, Value: ctx.ws }] })),
        ),
      ["TargetNotFoundException", "PolicyNotFoundException"],
    ],
    [
      "UpdatePolicy",
      () =>
        write("UpdatePolicy", () =>
          org.send(new UpdatePolicyCommand({ PolicyId: PROBE_POLICY_ID, Description: "Parapet permission probe" })),
        ),
      ["PolicyNotFoundException"],
    ],
    [
      "AttachPolicy",
      () => write("AttachPolicy", () => org.send(new AttachPolicyCommand({ PolicyId: PROBE_POLICY_ID, TargetId: root }))),
      ["PolicyNotFoundException", "TargetNotFoundException"],
    ],
    [
      "DetachPolicy",
      () => write("DetachPolicy", () => org.send(new DetachPolicyCommand({ PolicyId: PROBE_POLICY_ID, TargetId: root }))),
      ["PolicyNotFoundException", "TargetNotFoundException", "PolicyNotAttachedException"],
    ],
    [
      "DeletePolicy",
      () => write("DeletePolicy", () => org.send(new DeletePolicyCommand({ PolicyId: PROBE_POLICY_ID }))),
      ["PolicyNotFoundException"],
    ],
  ];
  await mapLimit(probes, Math.min(ctx.concurrency, 4), ([action, fn, ok, degraded]) => probe(action, fn, ok, degraded));

  // Impact replay's read of the audit log is optional: without it the connection works and replay says
  // it cannot read the log.
  try {
    const trail = ctx.clients.cloudtrail(AWS_AUDIT_REGION);
    await ctx.call("LookupEvents", false, () => trail.send(new LookupEventsCommand({ MaxResults: 1 })));
    checks.push({ permission: "cloudtrail:LookupEvents", ok: true });
  } catch (e) {
    const pe = classifyAwsError(e, "LookupEvents");
    checks.push({
      permission: "cloudtrail:LookupEvents",
      ok: false,
      detail:
        pe.kind === "auth"
          ? "access denied (optional: impact replay cannot read the audit log)"
          : `could not be checked: ${publicMessage(pe)}`,
    });
  }

  // Every permission the adapter uses must have been probed above; a new one without a probe shows up here.
  const probed = new Set(checks.map((c) => c.permission));
  for (const p of [...minimumPermissions, ...auditPermissions]) {
    if (!probed.has(p.permission)) checks.push({ permission: p.permission, ok: false, detail: "not probed" });
  }
  checks.sort((a, b) => (a.permission < b.permission ? -1 : a.permission > b.permission ? 1 : 0));
  return {
    ok: missing.length === 0 && error === undefined && scpEnabled,
    identity,
    rootId: root,
    checks,
    missing,
    ...(error ? { error } : !scpEnabled ? { error: "Service control policies are not enabled on the organization root." } : {}),
  };
}
