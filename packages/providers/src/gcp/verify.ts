import { publicMessage } from "../contract/public-message.ts";
import type { PermissionCheck, VerifyResult } from "../contract/types.ts";
import { NO_RETRY, ONE_PAGE, type GcpContext } from "./context.ts";
import { classifyGcpError } from "./errors.ts";
import { minimumPermissions } from "./permissions.ts";

/** The organization is readable, testIamPermissions grants what Parapet needs, and each API answers. */
export async function verifyGcp(ctx: GcpContext): Promise<VerifyResult> {
  const checks: PermissionCheck[] = [];
  const result: VerifyResult = { ok: false, checks, missing: [], ...(ctx.c.identity ? { identity: ctx.c.identity } : {}) };
  try {
    await ctx.call("crm.GetOrganization", false, () => ctx.c.organizations.getOrganization({ name: ctx.org }, NO_RETRY));
    result.rootId = ctx.org;
  } catch (e) {
    const pe = classifyGcpError(e, "crm.GetOrganization");
    result.error =
      pe.kind === "auth" ? `${publicMessage(pe)}. Check the credentials and that ${ctx.org} is the right organization.` : publicMessage(pe);
    if (pe.kind === "auth") result.missing = ["resourcemanager.organizations.get"];
    return result;
  }
  const wanted = minimumPermissions.map((p) => p.permission);
  let granted: Set<string>;
  try {
    const [res] = await ctx.call("crm.TestIamPermissions", false, () =>
      ctx.c.organizations.testIamPermissions({ resource: ctx.org, permissions: wanted }, NO_RETRY),
    );
    granted = new Set(res.permissions ?? []);
  } catch (e) {
    result.error = classifyGcpError(e, "crm.TestIamPermissions").message;
    return result;
  }
  for (const p of minimumPermissions) {
    checks.push({
      permission: p.permission,
      ok: granted.has(p.permission),
      ...(granted.has(p.permission) ? {} : { detail: `needed to ${p.why} (${p.role})` }),
    });
  }
  // testIamPermissions answers from Resource Manager; one read per other API proves the credentials
  // are accepted there too (API enabled, endpoint reachable).
  const probes: Array<[string, string, () => Promise<unknown>]> = [
    ["orgpolicy.policies.list", "orgpolicy.ListPolicies", () => ctx.c.orgPolicy.listPolicies({ parent: ctx.org, pageSize: 1 }, ONE_PAGE)],
    [
      "iam.denypolicies.list",
      "iam.ListPolicies",
      () => ctx.c.denyPolicies.listPolicies({ parent: ctx.denyParent(ctx.org), pageSize: 1 }, ONE_PAGE),
    ],
  ];
  for (const [permission, op, fn] of probes) {
    try {
      await ctx.call(op, false, fn);
    } catch (e) {
      const check = checks.find((c) => c.permission === permission);
      const detail = `probe ${op} failed: ${publicMessage(classifyGcpError(e, op))}`;
      if (check) {
        check.ok = false;
        check.detail = detail;
      }
    }
  }
  result.missing = checks.filter((c) => !c.ok).map((c) => c.permission);
  result.ok = result.missing.length === 0;
  return result;
}
