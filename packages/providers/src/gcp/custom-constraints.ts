import { canonicalJson } from "../contract/canonical.ts";
import type { ApplyResult, DesiredArtifact, ObservedArtifact } from "../contract/types.ts";
import { CUSTOM, invalidChange, isExisting, isMissing, notOwned, type GcpContext } from "./context.ts";
import { isOwnedCustomConstraint } from "./markers.ts";
import { compareCustomConstraint } from "./compare.ts";
import { normaliseCustomConstraint } from "./policy.ts";
import type { TGcpCustomConstraint } from "./types.ts";

/** Custom constraints (Org Policy v2), defined on the organization and owned by their name prefix. */

export async function getCustomConstraint(ctx: GcpContext, name: string): Promise<TGcpCustomConstraint | undefined> {
  try {
    return normaliseCustomConstraint(await ctx.call("orgpolicy.GetCustomConstraint", false, () => ctx.c.customConstraints.get(name)));
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

export async function listCustomConstraints(ctx: GcpContext): Promise<Map<string, TGcpCustomConstraint>> {
  const out = new Map<string, TGcpCustomConstraint>();
  let token: string | undefined;
  do {
    const page = await ctx.call("orgpolicy.ListCustomConstraints", false, () => ctx.c.customConstraints.list(ctx.org, ctx.pageSize, token));
    for (const raw of page.customConstraints ?? []) {
      const cc = normaliseCustomConstraint(raw);
      out.set(cc.name, cc);
    }
    token = page.nextPageToken || undefined;
  } while (token);
  return out;
}
export function customArtifact(ctx: GcpContext, cc: TGcpCustomConstraint): ObservedArtifact {
  return {
    kind: CUSTOM,
    name: cc.name,
    externalId: cc.name,
    body: cc,
    attachments: [cc.name.split("/customConstraints/")[0] ?? ctx.org],
    owned: isOwnedCustomConstraint(cc.name, ctx.cfg.workspaceId),
  };
}
function customWire(cc: TGcpCustomConstraint) {
  return {
    name: cc.name,
    resourceTypes: cc.resourceTypes,
    methodTypes: cc.methodTypes,
    condition: cc.condition,
    actionType: cc.actionType,
    displayName: cc.displayName,
    description: cc.description,
  };
}

export async function putCustomConstraint(ctx: GcpContext, a: DesiredArtifact, op: "create" | "update"): Promise<ApplyResult> {
  const operation = `gcp.${op} ${CUSTOM}`;
  const d = normaliseCustomConstraint(a.body);
  if (d.name !== a.name)
    throw invalidChange(
      operation,
      `custom constraint body name "${d.name}" does not match the artifact name "${a.name}"`,
      "BODY_NAME_MISMATCH",
    );
  if (!a.name.startsWith(`${ctx.org}/customConstraints/`)) {
    throw invalidChange(operation, `custom constraint ${a.name} must be defined on ${ctx.org}`, "FIXED_ATTACHMENT");
  }
  if (!isOwnedCustomConstraint(a.name, ctx.cfg.workspaceId)) throw notOwned(operation, `custom constraint ${a.name}`);
  const cur = op === "update" ? await getCustomConstraint(ctx, a.name) : undefined;
  if (op === "create" || !cur) {
    try {
      await ctx.call("orgpolicy.CreateCustomConstraint", true, () => ctx.c.customConstraints.create(ctx.org, customWire(d)));
      return { externalId: a.name };
    } catch (e) {
      if (!isExisting(e)) throw e;
    }
  }
  const now = cur ?? (await getCustomConstraint(ctx, a.name));
  if (now && compareCustomConstraint(d, now).equal) return { externalId: a.name, noop: true };
  if (now && canonicalJson(now.resourceTypes) !== canonicalJson(d.resourceTypes)) {
    throw invalidChange(
      operation,
      `custom constraint ${a.name} applies to ${now.resourceTypes.join(", ")} and resourceTypes cannot change; delete it and create it again`,
      "IMMUTABLE_FIELD",
    );
  }
  await ctx.call("orgpolicy.UpdateCustomConstraint", true, () => ctx.c.customConstraints.update(customWire(d)));
  return { externalId: a.name };
}

export async function deleteCustomConstraint(ctx: GcpContext, name: string): Promise<ApplyResult> {
  const operation = `gcp.delete ${CUSTOM}`;
  if (!isOwnedCustomConstraint(name, ctx.cfg.workspaceId)) throw notOwned(operation, `custom constraint ${name}`);
  const cur = await getCustomConstraint(ctx, name);
  if (!cur) return { noop: true };
  try {
    await ctx.call("orgpolicy.DeleteCustomConstraint", true, () => ctx.c.customConstraints.delete(name));
  } catch (e) {
    if (isMissing(e)) return { noop: true };
    throw e;
  }
  return { externalId: name };
}
