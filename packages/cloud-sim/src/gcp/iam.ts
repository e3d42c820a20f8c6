import { randomBytes } from "node:crypto";
import { type Ctx, type GcpCore, authorize, CRM, newUid } from "./core.ts";
import { aborted, alreadyExists, invalid, notFound, permissionDenied, precondition } from "./errors.ts";
import { denySupported } from "./deny-permissions.ts";
import { type DenyPolicy, type DenyRule, type Expr, newEtag, now } from "./model.ts";
import { type Json, obj, optExpr, optStr, paginate, strArr, strMap, withToken } from "./wire.ts";

const SERVICE = "iam.googleapis.com";
const M = "google.iam.v2.Policies.";
const POLICY_TYPE = "type.googleapis.com/google.iam.v2.Policy";
const META_TYPE = "type.googleapis.com/google.iam.v2.PolicyOperationMetadata";
const ATTACHMENT = /^cloudresourcemanager\.googleapis\.com\/(organizations|folders|projects)\/([^/]+)$/;
const POLICY_ID = /^[a-z][a-z0-9.-]{2,62}$/;
const PRINCIPAL = /^(principal|principalSet):\/\/[^\s]+$/;
/** `service.googleapis.com/resource.verb`, with `*` allowed for the resource, the verb, or both. */
const PERMISSION =
  /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com\/(\*|(\*|[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)*)\.(\*|[a-zA-Z][a-zA-Z0-9]*))$/;

function denyPolicyName(p: DenyPolicy): string {
  return `policies/${encodeURIComponent(p.attachmentPoint)}/denypolicies/${p.id}`;
}

export function denyPolicyWire(p: DenyPolicy, withRules = true): Json {
  const out: Json = {
    name: denyPolicyName(p),
    uid: p.uid,
    kind: "DenyPolicy",
    displayName: p.displayName,
    annotations: p.annotations,
    etag: p.etag,
    createTime: p.createTime,
    updateTime: p.updateTime,
  };
  if (withRules) {
    out.rules = p.rules.map((r) => {
      const d: Json = {
        deniedPrincipals: r.denyRule.deniedPrincipals,
        exceptionPrincipals: r.denyRule.exceptionPrincipals,
        deniedPermissions: r.denyRule.deniedPermissions,
        exceptionPermissions: r.denyRule.exceptionPermissions,
      };
      if (r.denyRule.denialCondition) d.denialCondition = r.denyRule.denialCondition;
      return { ...(r.description ? { description: r.description } : {}), denyRule: d };
    });
  }
  if (p.managingAuthority) out.managingAuthority = p.managingAuthority;
  return out;
}

/**
 * The attachment point segment arrives percent-encoded twice from google-gax (the `%2F` in the resource
 * name is itself escaped), or once from other clients; both decode to the same resource.
 */
function attachmentPoint(core: GcpCore, seg: string | undefined, permission: string, ctx?: Ctx): string {
  let raw = seg ?? "";
  for (let i = 0; i < 2 && /%[0-9a-f]{2}/i.test(raw); i++) {
    try {
      raw = decodeURIComponent(raw);
    } catch {
      throw invalid(`Invalid attachment point "${seg ?? ""}".`, "parent");
    }
  }
  const m = ATTACHMENT.exec(raw);
  if (!m) {
    throw invalid(
      `The attachment point "${raw}" must be cloudresourcemanager.googleapis.com/{organizations|folders|projects}/{id}.`,
      "parent",
    );
  }
  const shown = `${CRM}${m[1] ?? ""}/${m[2] ?? ""}`;
  if (ctx) authorize(ctx, permission, shown);
  const canonical = core.state.canonicalContainer(m[1] ?? "", m[2] ?? "");
  if (!canonical) throw permissionDenied(permission, shown);
  return `cloudresourcemanager.googleapis.com/${canonical}`;
}

function checkKind(kind: string | undefined): void {
  if (kind !== "denypolicies") throw invalid(`Unsupported policy kind "${kind ?? ""}"; only denypolicies is supported.`, "parent");
}

/** A deny rule's condition, unlike an org policy rule's, must carry its expression (bounded). */
function denialCondition(v: unknown, field: string): Expr | undefined {
  const e = optExpr(v, field);
  if (!e) return undefined;
  if (!e.expression) throw invalid(`${field}.expression is required.`, `${field}.expression`);
  if (e.expression.length > 12800) throw invalid(`${field}.expression is too long.`, `${field}.expression`);
  return e;
}

function parseRules(core: GcpCore, body: Json): DenyPolicy["rules"] {
  const raw = body.rules ?? [];
  if (!Array.isArray(raw)) throw invalid("policy.rules must be a list.", "policy.rules");
  if (raw.length === 0) throw invalid("policy.rules: a deny policy needs at least one rule.", "policy.rules");
  if (raw.length > core.limits.denyRulesPerPolicy) {
    throw invalid(
      `policy.rules: at most ${core.limits.denyRulesPerPolicy} rules are allowed per deny policy, got ${raw.length}.`,
      "policy.rules",
    );
  }
  return raw.map((r, i) => {
    const f = `policy.rules[${i}]`;
    const ro = obj(r, f);
    const description = optStr(ro, "description", `${f}.description`) ?? "";
    if (ro.denyRule === undefined || ro.denyRule === null) throw invalid(`${f}.deny_rule is required.`, `${f}.deny_rule`);
    const d = obj(ro.denyRule, `${f}.deny_rule`);
    const rule: DenyRule = {
      deniedPrincipals: strArr(d, "deniedPrincipals", `${f}.deny_rule.denied_principals`),
      exceptionPrincipals: strArr(d, "exceptionPrincipals", `${f}.deny_rule.exception_principals`),
      deniedPermissions: strArr(d, "deniedPermissions", `${f}.deny_rule.denied_permissions`),
      exceptionPermissions: strArr(d, "exceptionPermissions", `${f}.deny_rule.exception_permissions`),
      denialCondition: denialCondition(d.denialCondition, `${f}.deny_rule.denial_condition`),
    };
    if (rule.deniedPrincipals.length === 0)
      throw invalid(`${f}.deny_rule.denied_principals must not be empty.`, `${f}.deny_rule.denied_principals`);
    if (rule.deniedPermissions.length === 0)
      throw invalid(`${f}.deny_rule.denied_permissions must not be empty.`, `${f}.deny_rule.denied_permissions`);
    for (const [list, name] of [
      [rule.deniedPrincipals, "denied_principals"],
      [rule.exceptionPrincipals, "exception_principals"],
    ] as const) {
      for (const p of list)
        if (!PRINCIPAL.test(p)) throw invalid(`${f}.deny_rule.${name}: invalid principal identifier "${p}".`, `${f}.deny_rule.${name}`);
    }
    for (const [list, name] of [
      [rule.deniedPermissions, "denied_permissions"],
      [rule.exceptionPermissions, "exception_permissions"],
    ] as const) {
      for (const p of list) {
        if (!PERMISSION.test(p)) {
          throw invalid(
            `${f}.deny_rule.${name}: permission "${p}" must be of the form service.googleapis.com/resource.verb.`,
            `${f}.deny_rule.${name}`,
          );
        }
        // Well-formed is not enough: IAM refuses (400 INVALID_ARGUMENT) any permission missing from
        // "Permissions supported in deny policies"; see deny-permissions.ts for the vendored list.
        if (!denySupported(p)) {
          throw invalid(
            `${f}.deny_rule.${name}: permission "${p}" is not supported in deny policies (https://cloud.google.com/iam/docs/deny-permissions-support).`,
            `${f}.deny_rule.${name}`,
          );
        }
      }
    }
    return { description, denyRule: rule };
  });
}

function opFor(core: GcpCore, p: DenyPolicy, result: Json): Json {
  const name = `${denyPolicyName(p)}/operations/${randomBytes(8).toString("hex")}`;
  return core.startOperation(name, { "@type": META_TYPE, createTime: now() }, { response: { "@type": POLICY_TYPE, ...result } });
}

function containerOf(p: DenyPolicy): string {
  return p.attachmentPoint.slice("cloudresourcemanager.googleapis.com/".length);
}

// ---------------------------------------------------------------- shared mutations (API and admin)

export function doCreateDenyPolicy(core: GcpCore, attachment: string, id: string, body: Json, actor: string): DenyPolicy {
  if (!POLICY_ID.test(id)) {
    throw invalid(
      `policy_id "${id}" must be 3 to 63 characters: lowercase letters, digits, hyphens and periods, starting with a letter.`,
      "policy_id",
    );
  }
  const st = core.state;
  if (st.denyPolicies.has(st.denyKey(attachment, id))) throw alreadyExists(`Policy ${id} already exists on ${attachment}.`);
  const rules = parseRules(core, body);
  const displayName = optStr(body, "displayName", "policy.display_name") ?? "";
  if (displayName.length > 63) throw invalid("policy.display_name must be at most 63 characters.", "policy.display_name");
  const count = st.denyPoliciesAt(attachment).length;
  if (count >= core.limits.denyPoliciesPerAttachmentPoint) {
    throw precondition(
      `The resource ${attachment} already has ${count} deny policies; the limit is ${core.limits.denyPoliciesPerAttachmentPoint}.`,
      "DENY_POLICY_LIMIT",
      attachment,
    );
  }
  const t = now();
  const p: DenyPolicy = {
    attachmentPoint: attachment,
    id,
    uid: newUid(),
    displayName,
    annotations: strMap(body, "annotations", "policy.annotations"),
    etag: newEtag(id),
    createTime: t,
    updateTime: t,
    rules,
    managingAuthority: optStr(body, "managingAuthority", "policy.managing_authority") ?? "",
  };
  st.denyPolicies.set(st.denyKey(attachment, id), p);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "CreatePolicy",
    resourceName: denyPolicyName(p),
    container: containerOf(p),
    principalEmail: actor,
    permission: "iam.denypolicies.create",
    request: { parent: `policies/${encodeURIComponent(attachment)}/denypolicies`, policyId: id, policy: body },
    response: denyPolicyWire(p),
  });
  return p;
}

export function doUpdateDenyPolicy(core: GcpCore, p: DenyPolicy, body: Json, actor: string, checkEtag: boolean): DenyPolicy {
  const etag = optStr(body, "etag", "policy.etag");
  if (checkEtag && etag && etag !== p.etag) {
    throw aborted(`The etag "${etag}" does not match the current etag of policy ${denyPolicyName(p)}.`);
  }
  const rules = parseRules(core, body);
  const displayName = optStr(body, "displayName", "policy.display_name") ?? "";
  if (displayName.length > 63) throw invalid("policy.display_name must be at most 63 characters.", "policy.display_name");
  p.rules = rules;
  p.displayName = displayName;
  if (body.annotations !== undefined) p.annotations = strMap(body, "annotations", "policy.annotations");
  p.updateTime = now();
  p.etag = newEtag(p.id);
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "UpdatePolicy",
    resourceName: denyPolicyName(p),
    container: containerOf(p),
    principalEmail: actor,
    permission: "iam.denypolicies.update",
    request: { policy: { ...body, name: denyPolicyName(p) } },
    response: denyPolicyWire(p),
  });
  return p;
}

export function doDeleteDenyPolicy(core: GcpCore, p: DenyPolicy, actor: string): Json {
  core.state.denyPolicies.delete(core.state.denyKey(p.attachmentPoint, p.id));
  core.changed();
  core.audit({
    service: SERVICE,
    methodName: M + "DeletePolicy",
    resourceName: denyPolicyName(p),
    container: containerOf(p),
    principalEmail: actor,
    permission: "iam.denypolicies.delete",
    request: { name: denyPolicyName(p) },
  });
  return { ...denyPolicyWire(p), deleteTime: now() };
}

/** Looks a deny policy up by its full name (`policies/{encoded attachment}/denypolicies/{id}`). */
export function findDenyPolicy(core: GcpCore, name: string): DenyPolicy | undefined {
  const m = /^policies\/([^/]+)\/denypolicies\/([^/]+)$/.exec(name);
  if (!m) return undefined;
  let att: string;
  try {
    att = attachmentPoint(core, m[1], "iam.denypolicies.get");
  } catch {
    return undefined;
  }
  return core.state.denyPolicies.get(core.state.denyKey(att, m[2] ?? ""));
}

// ---------------------------------------------------------------- handlers

export function listDenyPolicies(ctx: Ctx, att?: string, kind?: string): Json {
  checkKind(kind);
  const attachment = attachmentPoint(ctx.core, att, "iam.denypolicies.list", ctx);
  const all = ctx.core.state.denyPoliciesAt(attachment);
  const page = paginate(all, ctx.query, `deny:${attachment}`, {
    defaultPageSize: ctx.core.limits.maxPageSize,
    maxPageSize: ctx.core.limits.maxPageSize,
  });
  // ListPolicies returns metadata only; callers must GetPolicy for the rules (as Google documents).
  return withToken({ policies: page.items.map((p) => denyPolicyWire(p, false)) }, page.nextPageToken);
}

function mustGet(ctx: Ctx, att: string | undefined, kind: string | undefined, id: string | undefined, permission: string): DenyPolicy {
  checkKind(kind);
  const attachment = attachmentPoint(ctx.core, att, permission, ctx);
  const p = ctx.core.state.denyPolicies.get(ctx.core.state.denyKey(attachment, id ?? ""));
  if (!p) throw notFound(`Policy ${id ?? ""} was not found on ${attachment}.`);
  return p;
}

export function getDenyPolicy(ctx: Ctx, att?: string, kind?: string, id?: string): Json {
  return denyPolicyWire(mustGet(ctx, att, kind, id, "iam.denypolicies.get"));
}

export function createDenyPolicy(ctx: Ctx, att?: string, kind?: string): Json {
  checkKind(kind);
  const attachment = attachmentPoint(ctx.core, att, "iam.denypolicies.create", ctx);
  const body = obj(ctx.body, "policy");
  const id = ctx.query.get("policyId") ?? ctx.query.get("policy_id") ?? "";
  const p = doCreateDenyPolicy(ctx.core, attachment, id, body, ctx.principal.email);
  return opFor(ctx.core, p, denyPolicyWire(p));
}

export function updateDenyPolicy(ctx: Ctx, att?: string, kind?: string, id?: string): Json {
  const p = mustGet(ctx, att, kind, id, "iam.denypolicies.update");
  const body = obj(ctx.body, "policy");
  doUpdateDenyPolicy(ctx.core, p, body, ctx.principal.email, true);
  return opFor(ctx.core, p, denyPolicyWire(p));
}

export function deleteDenyPolicy(ctx: Ctx, att?: string, kind?: string, id?: string): Json {
  const p = mustGet(ctx, att, kind, id, "iam.denypolicies.delete");
  const etag = ctx.query.get("etag");
  if (etag && etag !== p.etag) throw aborted(`The etag "${etag}" does not match the current etag of policy ${denyPolicyName(p)}.`);
  const wire = doDeleteDenyPolicy(ctx.core, p, ctx.principal.email);
  return opFor(ctx.core, p, wire);
}

/** Operation names embed the attachment point as sent; normalize it the same way as policy names. */
export function denyOperationName(ctx: Ctx, att: string | undefined, id: string | undefined, opId: string | undefined): string {
  const attachment = attachmentPoint(ctx.core, att, "iam.denypolicies.get", ctx);
  return `policies/${encodeURIComponent(attachment)}/denypolicies/${id ?? ""}/operations/${opId ?? ""}`;
}
