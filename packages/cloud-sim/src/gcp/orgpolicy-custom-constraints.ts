import { celProblem } from "./cel.ts";
import { type Ctx, authorize, CRM } from "./core.ts";
import { alreadyExists, GcpError, invalid, notFound, permissionDenied } from "./errors.ts";
import { type CustomConstraint, type MethodType, now } from "./model.ts";
import { ACTION_TYPES, M, METHOD_TYPES, SERVICE } from "./orgpolicy-common.ts";
import { type Json, enumIn, enumOut, obj, optStr, paginate, strArr, withToken } from "./wire.ts";

// ---------------------------------------------------------------- custom constraints

const CC_ID = /^custom\.[A-Za-z0-9]+$/;
const RESOURCE_TYPE = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com\/[A-Z][A-Za-z0-9]*$/;

function customConstraintWire(c: CustomConstraint, intEnums: boolean): Json {
  return {
    name: `organizations/${c.orgId}/customConstraints/${c.id}`,
    resourceTypes: c.resourceTypes,
    methodTypes: c.methodTypes.map((m) => enumOut(intEnums, METHOD_TYPES, m)),
    condition: c.condition,
    actionType: enumOut(intEnums, ACTION_TYPES, c.actionType),
    ...(c.displayName ? { displayName: c.displayName } : {}),
    ...(c.description ? { description: c.description } : {}),
    updateTime: c.updateTime,
  };
}

function orgOnly(ctx: Ctx, orgId: string | undefined, permission: string): string {
  const shown = `${CRM}organizations/${orgId ?? ""}`;
  authorize(ctx, permission, shown);
  if (orgId !== ctx.core.state.org.id) throw permissionDenied(permission, shown);
  return orgId;
}

function parseCustomConstraint(ctx: Ctx, orgId: string, body: Json, prev: CustomConstraint | undefined): CustomConstraint {
  const f = "custom_constraint";
  const name = optStr(body, "name", `${f}.name`);
  const prefix = `organizations/${orgId}/customConstraints/`;
  const id = prev ? prev.id : name?.startsWith(prefix) ? name.slice(prefix.length) : undefined;
  if (!id || !CC_ID.test(id) || id.length > 70) {
    throw invalid(`${f}.name must be ${prefix}custom.<alphanumeric id, at most 70 characters>, got "${name ?? ""}".`, `${f}.name`);
  }
  const resourceTypes = strArr(body, "resourceTypes", `${f}.resource_types`);
  if (resourceTypes.length === 0) throw invalid(`${f}.resource_types is required.`, `${f}.resource_types`);
  for (const rt of resourceTypes) {
    if (!RESOURCE_TYPE.test(rt))
      throw invalid(`${f}.resource_types: "${rt}" is not of the form service.googleapis.com/Type.`, `${f}.resource_types`);
  }
  if (prev && JSON.stringify([...prev.resourceTypes].sort()) !== JSON.stringify([...resourceTypes].sort())) {
    throw invalid(`${f}.resource_types is immutable.`, `${f}.resource_types`);
  }
  const rawMethods = body.methodTypes ?? [];
  if (!Array.isArray(rawMethods)) throw invalid(`${f}.method_types must be a list.`, `${f}.method_types`);
  const methodTypes = rawMethods.map(
    (m, i) => enumIn(m, METHOD_TYPES, `${f}.method_types[${i}]`) as MethodType | "METHOD_TYPE_UNSPECIFIED",
  );
  if (methodTypes.length === 0 || methodTypes.includes("METHOD_TYPE_UNSPECIFIED")) {
    throw invalid(`${f}.method_types must list at least one of CREATE, UPDATE, REMOVE_GRANT, GOVERN_TAGS.`, `${f}.method_types`);
  }
  if (methodTypes.includes("DELETE")) throw invalid(`${f}.method_types: DELETE is not supported.`, `${f}.method_types`);
  if (methodTypes.includes("UPDATE") && !methodTypes.includes("CREATE")) {
    throw invalid(
      `${f}.method_types: UPDATE-only custom constraints are not supported; use CREATE or CREATE, UPDATE.`,
      `${f}.method_types`,
    );
  }
  const condition = optStr(body, "condition", `${f}.condition`) ?? "";
  if (!condition.trim()) throw invalid(`${f}.condition is required.`, `${f}.condition`);
  if (condition.length > ctx.core.limits.customConstraintConditionChars) {
    throw invalid(
      `${f}.condition is ${condition.length} characters; the maximum is ${ctx.core.limits.customConstraintConditionChars}.`,
      `${f}.condition`,
    );
  }
  if (!/\bresource\./.test(condition)) throw invalid(`${f}.condition must be a CEL expression over 'resource'.`, `${f}.condition`);
  // Organization Policy compiles the condition on write and refuses one that does not compile.
  const problem = celProblem(condition, resourceTypes);
  if (problem) throw invalid(`${f}.condition is not a valid CEL expression: ${problem}`, `${f}.condition`);
  const actionType = enumIn(body.actionType, ACTION_TYPES, `${f}.action_type`);
  if (!actionType || actionType === "ACTION_TYPE_UNSPECIFIED") throw invalid(`${f}.action_type must be ALLOW or DENY.`, `${f}.action_type`);
  const displayName = optStr(body, "displayName", `${f}.display_name`) ?? "";
  if (displayName.length > 200) throw invalid(`${f}.display_name exceeds 200 characters.`, `${f}.display_name`);
  const description = optStr(body, "description", `${f}.description`) ?? "";
  if (description.length > 2000) throw invalid(`${f}.description exceeds 2000 characters.`, `${f}.description`);
  return {
    orgId,
    id,
    resourceTypes,
    methodTypes: [...new Set(methodTypes)] as MethodType[],
    condition,
    actionType: actionType as "ALLOW" | "DENY",
    displayName,
    description,
    updateTime: now(),
  };
}

export function createCustomConstraint(ctx: Ctx, orgId?: string): Json {
  const org = orgOnly(ctx, orgId, "orgpolicy.customConstraints.create");
  const core = ctx.core;
  const body = obj(ctx.body, "custom_constraint");
  const cc = parseCustomConstraint(ctx, org, body, undefined);
  const key = `${org}|${cc.id}`;
  if (core.state.customConstraints.has(key))
    throw alreadyExists(`Custom constraint organizations/${org}/customConstraints/${cc.id} already exists.`);
  for (const rt of cc.resourceTypes) {
    let n = 0;
    for (const other of core.state.customConstraints.values()) if (other.resourceTypes.includes(rt)) n++;
    if (n >= core.limits.customConstraintsPerResourceType) {
      throw new GcpError(
        "FAILED_PRECONDITION",
        `The organization already has ${n} custom constraints for resource type ${rt}; the limit is ${core.limits.customConstraintsPerResourceType}.`,
      );
    }
  }
  core.state.customConstraints.set(key, cc);
  core.changed();
  const wire = customConstraintWire(cc, false);
  core.audit({
    service: SERVICE,
    methodName: M + "CreateCustomConstraint",
    resourceName: wire.name as string,
    container: `organizations/${org}`,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.customConstraints.create",
    request: body,
    response: wire,
  });
  return customConstraintWire(cc, ctx.intEnums);
}

function findCustom(ctx: Ctx, org: string, id: string | undefined): CustomConstraint {
  const cc = ctx.core.state.customConstraints.get(`${org}|${id ?? ""}`);
  if (!cc) throw notFound(`Custom constraint organizations/${org}/customConstraints/${id ?? ""} was not found.`);
  return cc;
}

export function getCustomConstraint(ctx: Ctx, orgId?: string, id?: string): Json {
  const org = orgOnly(ctx, orgId, "orgpolicy.customConstraints.get");
  return customConstraintWire(findCustom(ctx, org, id), ctx.intEnums);
}

export function listCustomConstraints(ctx: Ctx, orgId?: string): Json {
  const org = orgOnly(ctx, orgId, "orgpolicy.customConstraints.list");
  const all = [...ctx.core.state.customConstraints.values()].filter((c) => c.orgId === org).sort((a, b) => a.id.localeCompare(b.id));
  const page = paginate(all, ctx.query, `custom:${org}`, ctx.core.limits);
  return withToken({ customConstraints: page.items.map((c) => customConstraintWire(c, ctx.intEnums)) }, page.nextPageToken);
}

export function updateCustomConstraint(ctx: Ctx, orgId?: string, id?: string): Json {
  const org = orgOnly(ctx, orgId, "orgpolicy.customConstraints.update");
  const prev = findCustom(ctx, org, id);
  const body = obj(ctx.body, "custom_constraint");
  const cc = parseCustomConstraint(ctx, org, body, prev);
  ctx.core.state.customConstraints.set(`${org}|${cc.id}`, cc);
  ctx.core.changed();
  const wire = customConstraintWire(cc, false);
  ctx.core.audit({
    service: SERVICE,
    methodName: M + "UpdateCustomConstraint",
    resourceName: wire.name as string,
    container: `organizations/${org}`,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.customConstraints.update",
    request: body,
    response: wire,
  });
  return customConstraintWire(cc, ctx.intEnums);
}

export function deleteCustomConstraint(ctx: Ctx, orgId?: string, id?: string): Json {
  const org = orgOnly(ctx, orgId, "orgpolicy.customConstraints.delete");
  const cc = findCustom(ctx, org, id);
  ctx.core.state.customConstraints.delete(`${org}|${cc.id}`);
  ctx.core.changed();
  ctx.core.audit({
    service: SERVICE,
    methodName: M + "DeleteCustomConstraint",
    resourceName: `organizations/${org}/customConstraints/${cc.id}`,
    container: `organizations/${org}`,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.customConstraints.delete",
  });
  return {};
}
