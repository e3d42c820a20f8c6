import { BUILTIN_CONSTRAINTS } from "./constraints.ts";
import type { Ctx, GcpCore } from "./core.ts";
import { aborted, alreadyExists, invalid, notFound } from "./errors.ts";
import { type OrgPolicy, newEtag, now } from "./model.ts";
import { CONSTRAINT_DEFAULT, constraintInfo, container, M, policyWire, SERVICE } from "./orgpolicy-common.ts";
import { effectivePolicy } from "./orgpolicy-effective.ts";
import { buildPolicy, parseMask, parsePolicyName, refuseDryRun } from "./orgpolicy-validate.ts";
import { type Json, enumOut, obj, optStr, paginate, withToken } from "./wire.ts";

// ---------------------------------------------------------------- handlers

export function listConstraints(ctx: Ctx, kind?: string, id?: string): Json {
  const parent = container(ctx, kind, id, "orgpolicy.constraints.list");
  const core = ctx.core;
  const all: Json[] = BUILTIN_CONSTRAINTS.map((b) => ({
    name: `${parent}/constraints/${b.id}`,
    displayName: b.displayName,
    description: b.description,
    constraintDefault: enumOut(ctx.intEnums, CONSTRAINT_DEFAULT, b.constraintDefault),
    ...(b.kind === "list"
      ? { listConstraint: { ...(b.supportsIn ? { supportsIn: true } : {}), ...(b.supportsUnder ? { supportsUnder: true } : {}) } }
      : { booleanConstraint: {} }),
    supportsDryRun: b.supportsDryRun,
  }));
  const customs = [...core.state.customConstraints.values()].sort((a, b) => a.id.localeCompare(b.id));
  for (const cc of customs) {
    all.push({
      name: `${parent}/constraints/${cc.id}`,
      displayName: cc.displayName,
      description: cc.description,
      constraintDefault: enumOut(ctx.intEnums, CONSTRAINT_DEFAULT, "ALLOW"),
      booleanConstraint: {},
      supportsDryRun: true,
    });
  }
  const page = paginate(all, ctx.query, `constraints:${parent}`, core.limits);
  return withToken({ constraints: page.items }, page.nextPageToken);
}

export function listPolicies(ctx: Ctx, kind?: string, id?: string): Json {
  const parent = container(ctx, kind, id, "orgpolicy.policies.list");
  const st = ctx.core.state;
  const constraints = [...(st.policiesByResource.get(parent) ?? [])].sort();
  const all = constraints.map((c) => st.getPolicy(parent, c)).filter((p): p is OrgPolicy => !!p);
  const page = paginate(all, ctx.query, `policies:${parent}`, ctx.core.limits);
  return withToken({ policies: page.items.map(policyWire) }, page.nextPageToken);
}

export function getPolicy(ctx: Ctx, kind?: string, id?: string, constraint?: string): Json {
  const resource = container(ctx, kind, id, "orgpolicy.policy.get");
  const p = ctx.core.state.getPolicy(resource, constraint ?? "");
  if (!p) throw notFound(`Requested entity was not found.`);
  return policyWire(p);
}

export function getEffectivePolicy(ctx: Ctx, kind?: string, id?: string, constraint?: string): Json {
  const resource = container(ctx, kind, id, "orgpolicy.policy.get");
  return effectivePolicy(ctx.core, resource, constraint ?? "");
}

export function createPolicy(ctx: Ctx, kind?: string, id?: string): Json {
  const parent = container(ctx, kind, id, "orgpolicy.policies.create");
  const core = ctx.core;
  const body = obj(ctx.body, "policy");
  const name = optStr(body, "name", "policy.name");
  if (!name) throw invalid("policy.name is required.", "policy.name");
  const parsed = parsePolicyName(core, name);
  if (!parsed || parsed.resource !== parent) {
    throw invalid(`policy.name "${name}" must be a policy of ${kind ?? ""}/${id ?? ""}.`, "policy.name");
  }
  if (core.state.getPolicy(parent, parsed.constraint)) throw alreadyExists(`Policy ${name} already exists.`);
  const { policy } = buildPolicy(core, parent, parsed.constraint, body, undefined, undefined);
  core.state.putPolicy(policy);
  core.changed();
  const wire = policyWire(policy);
  core.audit({
    service: SERVICE,
    methodName: M + "CreatePolicy",
    resourceName: `${parent}/policies/${parsed.constraint}`,
    container: parent,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.policies.create",
    request: { parent, policy: body },
    response: wire,
  });
  return wire;
}

export function updatePolicy(ctx: Ctx, kind?: string, id?: string, constraint?: string): Json {
  const resource = container(ctx, kind, id, "orgpolicy.policies.update");
  const core = ctx.core;
  const cid = constraint ?? "";
  const body = obj(ctx.body, "policy");
  const prev = core.state.getPolicy(resource, cid);
  if (!constraintInfo(core, cid)) throw notFound(`Constraint constraints/${cid} was not found.`);
  if (!prev) throw notFound(`Requested entity was not found.`);
  const mask = parseMask(ctx.query);
  const { policy, requestedSpecEtag, requestedDryEtag } = buildPolicy(core, resource, cid, body, prev, mask);
  const topEtag = optStr(body, "etag", "policy.etag");
  if (
    (topEtag && topEtag !== prev.etag) ||
    (requestedSpecEtag && requestedSpecEtag !== prev.spec?.etag) ||
    (requestedDryEtag && requestedDryEtag !== prev.dryRunSpec?.etag)
  ) {
    throw aborted("The etag supplied in the request does not match the persisted etag of the policy.");
  }
  core.state.putPolicy(policy);
  core.changed();
  const wire = policyWire(policy);
  core.audit({
    service: SERVICE,
    methodName: M + "UpdatePolicy",
    resourceName: `${resource}/policies/${cid}`,
    container: resource,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.policies.update",
    request: { policy: { ...body, name: `${resource}/policies/${cid}` } },
    response: wire,
  });
  return wire;
}

export function deletePolicy(ctx: Ctx, kind?: string, id?: string, constraint?: string): Json {
  const resource = container(ctx, kind, id, "orgpolicy.policies.delete");
  const core = ctx.core;
  const cid = constraint ?? "";
  const prev = core.state.getPolicy(resource, cid);
  if (!prev) throw notFound(`Requested entity was not found.`);
  const etag = ctx.query.get("etag");
  if (etag && etag !== prev.etag) {
    throw aborted("The etag supplied in the request does not match the persisted etag of the policy.");
  }
  core.state.deletePolicy(resource, cid);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "DeletePolicy",
    resourceName: `${resource}/policies/${cid}`,
    container: resource,
    principalEmail: ctx.principal.email,
    permission: "orgpolicy.policies.delete",
    request: { name: `${resource}/policies/${cid}` },
  });
  return {};
}
// ---------------------------------------------------------------- out-of-band (human) changes

/** Creates or replaces a policy as a person in the console would (no etag check). */
export function adminPutPolicy(core: GcpCore, name: string, body: Json, actor: string): Json {
  const parsed = parsePolicyName(core, name);
  if (!parsed) throw invalid(`Unknown policy name "${name}".`, "name");
  const prev = core.state.getPolicy(parsed.resource, parsed.constraint);
  const { policy } = buildPolicy(core, parsed.resource, parsed.constraint, body, prev, undefined);
  core.state.putPolicy(policy);
  core.changed();
  const wire = policyWire(policy);
  core.audit({
    service: SERVICE,
    methodName: M + (prev ? "UpdatePolicy" : "CreatePolicy"),
    resourceName: `${parsed.resource}/policies/${parsed.constraint}`,
    container: parsed.resource,
    principalEmail: actor,
    permission: prev ? "orgpolicy.policies.update" : "orgpolicy.policies.create",
    request: { policy: body },
    response: wire,
  });
  return wire;
}

export function adminDeletePolicy(core: GcpCore, name: string, actor: string): void {
  const parsed = parsePolicyName(core, name);
  if (!parsed || !core.state.getPolicy(parsed.resource, parsed.constraint)) throw notFound(`Policy ${name} was not found.`);
  core.state.deletePolicy(parsed.resource, parsed.constraint);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "DeletePolicy",
    resourceName: `${parsed.resource}/policies/${parsed.constraint}`,
    container: parsed.resource,
    principalEmail: actor,
    permission: "orgpolicy.policies.delete",
  });
}

/** A person switching a policy to dry-run only: the live spec moves to dryRunSpec and stops enforcing. */
export function adminDryRunOnly(core: GcpCore, name: string, actor: string): Json {
  const parsed = parsePolicyName(core, name);
  const prev = parsed ? core.state.getPolicy(parsed.resource, parsed.constraint) : undefined;
  if (!parsed || !prev) throw notFound(`Policy ${name} was not found.`);
  if (!prev.spec) return policyWire(prev);
  // A person in the console meets the same refusal as the API.
  const c = constraintInfo(core, parsed.constraint);
  if (c) refuseDryRun(c);
  const t = now();
  const moved: typeof prev = {
    ...prev,
    spec: undefined,
    dryRunSpec: { ...prev.spec, etag: newEtag(name + "dry"), updateTime: t },
    etag: newEtag(name),
  };
  core.state.putPolicy(moved);
  core.changed();
  const wire = policyWire(moved);
  core.audit({
    service: SERVICE,
    methodName: M + "UpdatePolicy",
    resourceName: `${parsed.resource}/policies/${parsed.constraint}`,
    container: parsed.resource,
    principalEmail: actor,
    permission: "orgpolicy.policies.update",
    response: wire,
  });
  return wire;
}
