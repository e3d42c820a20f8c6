import { randomUUID } from "node:crypto";
import { ArmError, badRequest, invalidContent, notFound } from "./errors.ts";
import type {
  AppRegistration,
  AzureLimits,
  ManagementGroup,
  PolicyKind,
  PolicyResource,
  Subscription,
  SystemData,
} from "./model.ts";
import { validateAliases } from "./aliases.ts";
import { MG_PREFIX, parsePolicyResourceId, parseScope, scopeKey, type Scope } from "./scope.ts";
import {
  isObject,
  show,
  optionalString,
  prop,
  validateMode,
  validateParameterDeclarations,
  validateParameterValues,
  validateDenyAction,
  validatePolicyRule,
  validateResourceName,
} from "./validate.ts";

export interface Caller {
  /** App id (client id) for applications, UPN for people acting through the admin API. */
  id: string;
  type: "Application" | "User";
  objectId?: string;
}

const TYPES: Record<PolicyKind, string> = {
  policyDefinitions: "Microsoft.Authorization/policyDefinitions",
  policySetDefinitions: "Microsoft.Authorization/policySetDefinitions",
  policyAssignments: "Microsoft.Authorization/policyAssignments",
  policyExemptions: "Microsoft.Authorization/policyExemptions",
};

export const KIND_BY_SEGMENT: Record<string, PolicyKind> = {
  policydefinitions: "policyDefinitions",
  policysetdefinitions: "policySetDefinitions",
  policyassignments: "policyAssignments",
  policyexemptions: "policyExemptions",
};

const NOUN: Record<PolicyKind, string> = {
  policyDefinitions: "policy definition",
  policySetDefinitions: "policy set definition",
  policyAssignments: "policy assignment",
  policyExemptions: "policy exemption",
};

const NOT_FOUND_CODE: Record<PolicyKind, string> = {
  policyDefinitions: "PolicyDefinitionNotFound",
  policySetDefinitions: "PolicySetDefinitionNotFound",
  policyAssignments: "PolicyAssignmentNotFound",
  policyExemptions: "PolicyExemptionNotFound",
};

export function notFoundError(kind: PolicyKind, name: string): ArmError {
  const verb = kind === "policyAssignments" || kind === "policyExemptions" ? "is not found" : "could not be found";
  return notFound(NOT_FOUND_CODE[kind], `The ${NOUN[kind]} '${name}' ${verb}.`);
}

export interface StateSnapshot {
  tenantId: string;
  managementGroups: Array<Omit<ManagementGroup, "children">>;
  subscriptions: Subscription[];
  resources: PolicyResource[];
  apps: AppRegistration[];
}

type Bucket = Map<PolicyKind, Map<string, PolicyResource>>;

/** In-memory Azure tenant: management-group tree, subscriptions and Microsoft.Authorization resources. */
export class AzureState {
  readonly mgs = new Map<string, ManagementGroup & { subSet: Set<string> }>();
  readonly subs = new Map<string, Subscription>();
  readonly apps = new Map<string, AppRegistration>();
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly tenantId: string,
    private readonly limits: () => AzureLimits,
  ) {
    this.mgs.set(tenantId.toLowerCase(), {
      name: tenantId,
      displayName: "Tenant Root Group",
      parent: undefined,
      children: [],
      subSet: new Set(),
      version: 1,
      updatedTime: new Date().toISOString(),
      updatedBy: "",
    });
  }

  get rootKey(): string {
    return this.tenantId.toLowerCase();
  }

  // ---------------------------------------------------------------- hierarchy

  mustMg(name: string): ManagementGroup & { subSet: Set<string> } {
    const mg = this.mgs.get(name.toLowerCase());
    if (!mg) {
      throw notFound(
        "ManagementGroupNotFound",
        `The management group '${name}' could not be found. If the management group was recently created, please allow a few minutes for it to become available.`,
      );
    }
    return mg;
  }

  mustSub(id: string): Subscription {
    const s = this.subs.get(id.toLowerCase());
    if (!s) throw notFound("SubscriptionNotFound", `The subscription '${id}' could not be found.`);
    return s;
  }

  /** Number of levels below the tenant root group (root = 0). */
  mgDepth(name: string): number {
    let d = 0;
    let cur = this.mgs.get(name.toLowerCase());
    while (cur?.parent !== undefined) {
      d++;
      cur = this.mgs.get(cur.parent);
    }
    return d;
  }

  addManagementGroup(name: string, displayName: string | undefined, parent: string | undefined, by = ""): ManagementGroup {
    validateResourceName("management group", name, 90, "InvalidManagementGroupName");
    const key = name.toLowerCase();
    const parentMg = this.mustMg(parent ?? this.tenantId);
    const existing = this.mgs.get(key);
    if (existing) {
      if (displayName !== undefined) existing.displayName = displayName;
      if (parent !== undefined && existing.parent !== parentMg.name.toLowerCase()) this.moveManagementGroup(name, parent);
      existing.version++;
      existing.updatedTime = new Date().toISOString();
      existing.updatedBy = by;
      return existing;
    }
    if (this.mgDepth(parentMg.name) + 1 > this.limits().managementGroupDepth) {
      throw badRequest(
        "ManagementGroupDepthLimitExceeded",
        `The management group '${name}' cannot be created under '${parentMg.name}': the hierarchy supports up to ${this.limits().managementGroupDepth} levels of depth below the root management group.`,
      );
    }
    const mg = {
      name,
      displayName: displayName ?? name,
      parent: parentMg.name.toLowerCase(),
      children: [],
      subSet: new Set<string>(),
      version: 1,
      updatedTime: new Date().toISOString(),
      updatedBy: by,
    };
    this.mgs.set(key, mg);
    parentMg.children.push(key);
    return mg;
  }

  moveManagementGroup(name: string, newParent: string): void {
    const mg = this.mustMg(name);
    const target = this.mustMg(newParent);
    for (const a of this.mgChain(target.name)) {
      if (a === name.toLowerCase()) {
        throw badRequest("InvalidManagementGroupParent", `The management group '${name}' cannot be moved under its own descendant '${newParent}'.`);
      }
    }
    if (mg.parent) {
      const old = this.mgs.get(mg.parent)!;
      old.children = old.children.filter((c) => c !== name.toLowerCase());
    }
    mg.parent = target.name.toLowerCase();
    target.children.push(name.toLowerCase());
  }

  deleteManagementGroup(name: string): ManagementGroup {
    const mg = this.mustMg(name);
    if (mg.parent === undefined) {
      throw badRequest("CannotDeleteRootManagementGroup", "The tenant root management group cannot be deleted.");
    }
    if (mg.children.length || mg.subSet.size) {
      throw badRequest(
        "ManagementGroupHasChildren",
        `The management group '${mg.name}' has children. Move or delete its child management groups and subscriptions first.`,
      );
    }
    const parent = this.mgs.get(mg.parent)!;
    parent.children = parent.children.filter((c) => c !== name.toLowerCase());
    this.mgs.delete(name.toLowerCase());
    this.buckets.delete(scopeKey({ kind: "mg", mg: name }));
    return mg;
  }

  /** Lower-cased names from the group itself up to the tenant root group. */
  mgChain(name: string): string[] {
    const out: string[] = [];
    let cur = this.mgs.get(name.toLowerCase());
    while (cur) {
      out.push(cur.name.toLowerCase());
      cur = cur.parent !== undefined ? this.mgs.get(cur.parent) : undefined;
    }
    return out;
  }

  addSubscription(sub: Omit<Subscription, "parent"> & { parent?: string }): Subscription {
    const parent = this.mustMg(sub.parent ?? this.tenantId);
    const key = sub.subscriptionId.toLowerCase();
    const existing = this.subs.get(key);
    if (existing) this.mgs.get(existing.parent)?.subSet.delete(key);
    const s: Subscription = { ...sub, parent: parent.name.toLowerCase(), tags: { ...sub.tags } };
    this.subs.set(key, s);
    parent.subSet.add(key);
    return s;
  }

  moveSubscription(id: string, mgName: string): Subscription {
    const s = this.mustSub(id);
    const target = this.mustMg(mgName);
    this.mgs.get(s.parent)?.subSet.delete(id.toLowerCase());
    s.parent = target.name.toLowerCase();
    target.subSet.add(id.toLowerCase());
    return s;
  }

  setTags(id: string, tags: Record<string, string>, operation: "Replace" | "Merge" | "Delete"): Subscription {
    const s = this.mustSub(id);
    if (operation === "Replace") s.tags = { ...tags };
    else if (operation === "Merge") s.tags = { ...s.tags, ...tags };
    else for (const [k, v] of Object.entries(tags)) if (s.tags[k] === v || v === "") delete s.tags[k];
    if (Object.keys(s.tags).length > 50) {
      throw badRequest("InvalidTagCount", "The resource has more than 50 tags. A resource can have at most 50 tags.");
    }
    return s;
  }

  /** Scope keys from the scope itself up to the root management group (existence checked). */
  chain(scope: Scope): string[] {
    switch (scope.kind) {
      case "tenant":
        return [""];
      case "mg":
        this.mustMg(scope.mg);
        return this.mgChain(scope.mg).map((m) => scopeKey({ kind: "mg", mg: m }));
      case "sub": {
        const s = this.mustSub(scope.sub);
        return [scopeKey(scope), ...this.mgChain(s.parent).map((m) => scopeKey({ kind: "mg", mg: m }))];
      }
      case "rg":
        return [scopeKey(scope), ...this.chain({ kind: "sub", sub: scope.sub })];
    }
  }

  canonical(scope: Scope): string {
    switch (scope.kind) {
      case "tenant":
        return "";
      case "mg":
        return MG_PREFIX + (this.mgs.get(scope.mg.toLowerCase())?.name ?? scope.mg);
      case "sub":
        return `/subscriptions/${this.subs.get(scope.sub.toLowerCase())?.subscriptionId ?? scope.sub}`;
      case "rg":
        return `${this.canonical({ kind: "sub", sub: scope.sub })}/resourceGroups/${scope.rg}`;
    }
  }

  /** Subscription id owning a scope, for events and throttling headers. */
  subscriptionOf(scope: Scope): string | undefined {
    return scope.kind === "sub" || scope.kind === "rg" ? this.canonical({ kind: "sub", sub: scope.sub }).split("/")[2] : undefined;
  }

  // ---------------------------------------------------------------- policy resources

  private bucket(key: string, kind: PolicyKind): Map<string, PolicyResource> {
    let b = this.buckets.get(key);
    if (!b) {
      b = new Map();
      this.buckets.set(key, b);
    }
    let m = b.get(kind);
    if (!m) {
      m = new Map();
      b.set(kind, m);
    }
    return m;
  }

  private peek(key: string, kind: PolicyKind): Map<string, PolicyResource> | undefined {
    return this.buckets.get(key)?.get(kind);
  }

  get(kind: PolicyKind, scope: Scope, name: string): PolicyResource {
    this.chain(scope);
    const r = this.peek(scopeKey(scope), kind)?.get(name.toLowerCase());
    if (!r) throw notFoundError(kind, name);
    return r;
  }

  find(kind: PolicyKind, scope: Scope, name: string): PolicyResource | undefined {
    return this.peek(scopeKey(scope), kind)?.get(name.toLowerCase());
  }

  /** Resolves a definition / set definition / assignment id; undefined when absent. */
  resolve(id: string, expect: PolicyKind[]): PolicyResource | undefined {
    const p = parsePolicyResourceId(id);
    if (!p) return undefined;
    const kind = KIND_BY_SEGMENT[p.type];
    if (!kind || !expect.includes(kind)) return undefined;
    return this.peek(scopeKey(p.scope), kind)?.get(p.name.toLowerCase());
  }

  resourceId(r: PolicyResource): string {
    return `${r.scope}/providers/${TYPES[r.kind]}/${r.name}`;
  }

  scopeOf(r: PolicyResource): Scope {
    return parseScope(r.scope) ?? { kind: "tenant" };
  }

  all(kind: PolicyKind): PolicyResource[] {
    const out: PolicyResource[] = [];
    for (const b of this.buckets.values()) for (const r of b.get(kind)?.values() ?? []) out.push(r);
    return out;
  }

  countAt(key: string, kind: PolicyKind): number {
    return this.peek(key, kind)?.size ?? 0;
  }

  /** Items of one kind at the given scope keys, in key order then insertion order. */
  at(keys: string[], kind: PolicyKind): PolicyResource[] {
    const out: PolicyResource[] = [];
    for (const k of keys) for (const r of this.peek(k, kind)?.values() ?? []) out.push(r);
    return out;
  }

  /** Scope keys strictly below a subscription (resource groups). */
  keysBelowSubscription(sub: string): string[] {
    const prefix = `/subscriptions/${sub.toLowerCase()}/`;
    return [...this.buckets.keys()].filter((k) => k.startsWith(prefix));
  }

  private systemData(prev: SystemData | undefined, by: Caller, now: string): SystemData {
    return {
      createdBy: prev?.createdBy ?? by.id,
      createdByType: prev?.createdByType ?? by.type,
      createdAt: prev?.createdAt ?? now,
      lastModifiedBy: by.id,
      lastModifiedByType: by.type,
      lastModifiedAt: now,
    };
  }

  /** ARM stamps createdBy/createdOn/updatedBy/updatedOn into properties.metadata of custom resources. */
  private stampMetadata(metadata: unknown, prev: PolicyResource | undefined, by: Caller, now: string): Record<string, unknown> {
    if (metadata !== undefined && metadata !== null && !isObject(metadata)) {
      throw invalidContent("Error converting value to type 'Object'. Path 'properties.metadata'");
    }
    const m: Record<string, unknown> = { ...(metadata ?? {}) };
    const prevMeta = (prev?.properties.metadata ?? {}) as Record<string, unknown>;
    m.createdBy = prevMeta.createdBy ?? by.objectId ?? by.id;
    m.createdOn = prevMeta.createdOn ?? now;
    if (prev) {
      m.updatedBy = by.objectId ?? by.id;
      m.updatedOn = now;
    } else {
      m.updatedBy = null;
      m.updatedOn = null;
    }
    return m;
  }

  private properties(body: unknown, kind: PolicyKind): Record<string, unknown> {
    if (!isObject(body)) throw invalidContent("The request content must be a JSON object. Path '', line 1, position 1.");
    const p = prop(body, "properties");
    if (!isObject(p)) {
      throw badRequest("InvalidRequestContent", `The request content is missing the required 'properties' of the ${NOUN[kind]}.`);
    }
    return p;
  }

  private assertScopeWritable(scope: Scope, kind: PolicyKind): void {
    const ok =
      kind === "policyDefinitions" || kind === "policySetDefinitions"
        ? scope.kind === "mg" || scope.kind === "sub"
        : scope.kind !== "tenant";
    if (!ok) throw badRequest("InvalidScope", `The scope '${this.canonical(scope)}' is not valid for a ${NOUN[kind]}.`);
  }

  private quota(kind: PolicyKind, scope: Scope, limit: number, code: string): void {
    if (this.countAt(scopeKey(scope), kind) >= limit) {
      throw badRequest(
        code,
        `The ${NOUN[kind]} quota has been exceeded: scope '${this.canonical(scope)}' already has the maximum of ${limit} ${NOUN[kind]}s.`,
      );
    }
  }

  /** Creates or replaces a resource; returns whether it was created. */
  put(kind: PolicyKind, scope: Scope, name: string, body: unknown, by: Caller): { resource: PolicyResource; created: boolean } {
    this.assertScopeWritable(scope, kind);
    this.chain(scope);
    const prev = this.find(kind, scope, name);
    const now = new Date().toISOString();
    let resource: PolicyResource;
    switch (kind) {
      case "policyDefinitions":
        resource = this.buildDefinition(scope, name, body, prev, by, now);
        break;
      case "policySetDefinitions":
        resource = this.buildSetDefinition(scope, name, body, prev, by, now);
        break;
      case "policyAssignments":
        resource = this.buildAssignment(scope, name, body, prev, by, now);
        break;
      case "policyExemptions":
        resource = this.buildExemption(scope, name, body, prev, by, now);
        break;
    }
    this.bucket(scopeKey(scope), kind).set(name.toLowerCase(), resource);
    return { resource, created: !prev };
  }

  /** Stores a built-in (tenant-level) definition or set definition without validation of its scope. */
  putBuiltIn(kind: "policyDefinitions" | "policySetDefinitions", name: string, properties: Record<string, unknown>): void {
    const now = "2020-01-01T00:00:00.000Z";
    this.bucket("", kind).set(name.toLowerCase(), {
      kind,
      name,
      scope: "",
      properties: { policyType: "BuiltIn", ...properties },
      systemData: { createdBy: "", createdByType: "", createdAt: now, lastModifiedBy: "", lastModifiedByType: "", lastModifiedAt: now },
    });
  }

  private buildDefinition(scope: Scope, name: string, body: unknown, prev: PolicyResource | undefined, by: Caller, now: string): PolicyResource {
    validateResourceName("policy definition", name, 128, "InvalidPolicyDefinitionName");
    const p = this.properties(body, "policyDefinitions");
    const limits = this.limits();
    if (!prev) this.quota("policyDefinitions", scope, limits.definitionsPerScope, "PolicyDefinitionQuotaExceeded");
    const policyType = prop(p, "policyType") ?? "Custom";
    if (typeof policyType !== "string" || policyType.toLowerCase() !== "custom") {
      throw badRequest("InvalidPolicyType", `The policy type '${show(policyType)}' is not allowed. Only 'Custom' policy definitions can be created or updated.`);
    }
    const mode = prop(p, "mode") ?? "Indexed";
    validateMode(name, mode);
    const displayName = optionalString(name, "displayName", prop(p, "displayName"), 128);
    const description = optionalString(name, "description", prop(p, "description"), 512);
    const parameters = prop(p, "parameters");
    const declared = validateParameterDeclarations(name, parameters, limits.parametersPerDefinition);
    validatePolicyRule(name, prop(p, "policyRule"), declared);
    validateAliases(name, prop(p, "policyRule"));
    validateDenyAction(name, mode, prop(p, "policyRule"), parameters);
    return {
      kind: "policyDefinitions",
      name: prev?.name ?? name,
      scope: this.canonical(scope),
      properties: {
        policyType: "Custom",
        mode,
        ...(displayName !== undefined ? { displayName } : {}),
        ...(description !== undefined ? { description } : {}),
        metadata: this.stampMetadata(prop(p, "metadata"), prev, by, now),
        parameters: parameters ?? {},
        policyRule: prop(p, "policyRule"),
        ...(prop(p, "version") !== undefined ? { version: prop(p, "version") } : {}),
      },
      systemData: this.systemData(prev?.systemData, by, now),
    };
  }

  /** A definition (or set) referenced from `scope` must live at or above it. */
  private resolveInScope(id: unknown, kinds: PolicyKind[], scope: Scope, owner: string): PolicyResource {
    if (typeof id !== "string" || id.length === 0) {
      throw badRequest("InvalidRequestContent", `The '${owner}' is missing the required 'policyDefinitionId'.`);
    }
    const p = parsePolicyResourceId(id);
    const kind = p ? KIND_BY_SEGMENT[p.type] : undefined;
    if (!p || !kind || !kinds.includes(kind)) {
      throw badRequest("InvalidPolicyDefinitionId", `The policy definition id '${id}' of '${owner}' is not a valid ${kinds.map((k) => NOUN[k]).join(" or ")} id.`);
    }
    const r = this.resolve(id, kinds);
    if (!r) throw notFoundError(kind, p.name);
    const chain = this.chain(scope);
    if (r.scope !== "" && !chain.includes(scopeKey(this.scopeOf(r)))) {
      throw badRequest(
        kind === "policyDefinitions" && kinds.length === 1 ? "InvalidCreatePolicySetDefinitionRequest" : "InvalidCreatePolicyAssignmentRequest",
        `The policy definition specified in '${owner}' is out of scope. Policy definitions should be specified only at or above the scope of '${owner}'.`,
      );
    }
    return r;
  }

  private buildSetDefinition(scope: Scope, name: string, body: unknown, prev: PolicyResource | undefined, by: Caller, now: string): PolicyResource {
    validateResourceName("policy set definition", name, 128, "InvalidPolicySetDefinitionName");
    const p = this.properties(body, "policySetDefinitions");
    const limits = this.limits();
    if (!prev) {
      this.quota("policySetDefinitions", scope, limits.setDefinitionsPerScope, "PolicySetDefinitionQuotaExceeded");
      const total = this.all("policySetDefinitions").filter((r) => r.scope !== "").length;
      if (total >= limits.setDefinitionsPerTenant) {
        throw badRequest("PolicySetDefinitionQuotaExceeded", `The policy set definition quota has been exceeded: the tenant already has the maximum of ${limits.setDefinitionsPerTenant} policy set definitions.`);
      }
    }
    const policyType = prop(p, "policyType") ?? "Custom";
    if (typeof policyType !== "string" || policyType.toLowerCase() !== "custom") {
      throw badRequest("InvalidPolicyType", `The policy type '${show(policyType)}' is not allowed. Only 'Custom' policy set definitions can be created or updated.`);
    }
    const displayName = optionalString(name, "displayName", prop(p, "displayName"), 128);
    const description = optionalString(name, "description", prop(p, "description"), 512);
    const parameters = prop(p, "parameters");
    const declared = validateParameterDeclarations(name, parameters, limits.parametersPerDefinition * 20);
    const members = prop(p, "policyDefinitions");
    if (!Array.isArray(members) || members.length === 0) {
      throw badRequest("InvalidCreatePolicySetDefinitionRequest", `The policy set definition '${name}' must contain at least one policy definition.`);
    }
    if (members.length > limits.policiesPerSetDefinition) {
      throw badRequest(
        "PolicySetDefinitionPolicyLimitExceeded",
        `The policy set definition '${name}' has ${members.length} policy definitions, which exceeds the maximum of ${limits.policiesPerSetDefinition}.`,
      );
    }
    const refs = new Set<string>();
    const outMembers = members.map((m: unknown, i) => {
      if (!isObject(m)) throw invalidContent(`Error converting value to type 'PolicyDefinitionReference'. Path 'properties.policyDefinitions[${i}]'`);
      const def = this.resolveInScope(prop(m, "policyDefinitionId"), ["policyDefinitions"], scope, `policy set definition '${name}'`);
      let ref = prop(m, "policyDefinitionReferenceId");
      if (ref === undefined || ref === null || ref === "") ref = `${def.name}_${i + 1}`.replace(/[^A-Za-z0-9_-]/g, "");
      if (typeof ref !== "string") throw invalidContent(`Error converting value to type 'String'. Path 'properties.policyDefinitions[${i}].policyDefinitionReferenceId'`);
      if (refs.has(ref.toLowerCase())) {
        throw badRequest("InvalidPolicyDefinitionReference", `The policy set definition '${name}' has a duplicate policy definition reference id '${ref}'.`);
      }
      refs.add(ref.toLowerCase());
      const mp = prop(m, "parameters");
      if (mp !== undefined && !isObject(mp)) throw invalidContent(`Error converting value to type 'Object'. Path 'properties.policyDefinitions[${i}].parameters'`);
      for (const [pk, pv] of Object.entries(mp ?? {})) {
        const usedBy = Object.keys((def.properties.parameters ?? {})).some((k) => k.toLowerCase() === pk.toLowerCase());
        if (!usedBy) {
          throw badRequest("UndefinedPolicyParameter", `The policy set definition '${name}' passes parameter '${pk}' that is not defined in the policy definition '${this.resourceId(def)}'.`);
        }
        const expr = isObject(pv) ? JSON.stringify(pv) : "";
        for (const mm of expr.matchAll(/parameters\(\s*'([^']+)'\s*\)/gi)) {
          if (!declared.has(mm[1]!.toLowerCase())) {
            throw badRequest("UndefinedPolicyParameter", `The policy set definition '${name}' has an undefined parameter '${mm[1]}'.`);
          }
        }
      }
      const groupNames = prop(m, "groupNames");
      return {
        policyDefinitionId: this.resourceId(def),
        policyDefinitionReferenceId: ref,
        parameters: mp ?? {},
        ...(Array.isArray(groupNames) ? { groupNames } : {}),
        ...(prop(m, "definitionVersion") !== undefined ? { definitionVersion: prop(m, "definitionVersion") } : {}),
      };
    });
    const groups = prop(p, "policyDefinitionGroups");
    return {
      kind: "policySetDefinitions",
      name: prev?.name ?? name,
      scope: this.canonical(scope),
      properties: {
        policyType: "Custom",
        ...(displayName !== undefined ? { displayName } : {}),
        ...(description !== undefined ? { description } : {}),
        metadata: this.stampMetadata(prop(p, "metadata"), prev, by, now),
        parameters: parameters ?? {},
        policyDefinitions: outMembers,
        ...(Array.isArray(groups) ? { policyDefinitionGroups: groups } : {}),
      },
      systemData: this.systemData(prev?.systemData, by, now),
    };
  }

  private buildAssignment(scope: Scope, name: string, body: unknown, prev: PolicyResource | undefined, by: Caller, now: string): PolicyResource {
    validateResourceName("policy assignment", name, scope.kind === "mg" ? 24 : 64, "InvalidPolicyAssignmentName");
    const p = this.properties(body, "policyAssignments");
    const limits = this.limits();
    if (!prev) this.quota("policyAssignments", scope, limits.assignmentsPerScope, "PolicyAssignmentQuotaExceeded");
    const owner = `policy assignment '${name}'`;
    const def = this.resolveInScope(prop(p, "policyDefinitionId"), ["policyDefinitions", "policySetDefinitions"], scope, owner);
    const enforcement = prop(p, "enforcementMode") ?? "Default";
    const mode = typeof enforcement === "string" ? ["Default", "DoNotEnforce"].find((m) => m.toLowerCase() === enforcement.toLowerCase()) : undefined;
    if (!mode) {
      throw invalidContent(`Requested value '${show(enforcement)}' was not found. Path 'properties.enforcementMode'`);
    }
    const notScopes = prop(p, "notScopes") ?? [];
    if (!Array.isArray(notScopes) || notScopes.some((s) => typeof s !== "string")) {
      throw invalidContent("Error converting value to type 'String[]'. Path 'properties.notScopes'");
    }
    if (notScopes.length > limits.notScopesPerAssignment) {
      throw badRequest(
        "InvalidCreatePolicyAssignmentRequest",
        `The policy assignment '${name}' has ${notScopes.length} not scopes, which exceeds the maximum of ${limits.notScopesPerAssignment} not scopes.`,
      );
    }
    const ownKey = scopeKey(scope);
    for (const ns of notScopes as string[]) {
      const parsed = parseScope(ns);
      const nsKey = parsed ? scopeKey(parsed) : undefined;
      const under = nsKey !== undefined && nsKey !== ownKey && this.isBelow(parsed!, ownKey);
      if (!under) {
        throw badRequest(
          "InvalidNotScopes",
          `The policy assignment '${name}' has an invalid not scope '${ns}'. Not scopes must be child scopes of the assignment scope '${this.canonical(scope)}'.`,
        );
      }
    }
    const params = prop(p, "parameters");
    validateParameterValues(name, this.resourceId(def), (def.properties.parameters ?? {}) as Record<string, unknown>, params);
    const displayName = optionalString(name, "displayName", prop(p, "displayName"), 128);
    const description = optionalString(name, "description", prop(p, "description"), 512);
    const b = body as Record<string, unknown>;
    const location = prop(b, "location");
    let identity = prop(b, "identity");
    if (isObject(identity)) {
      const type = prop(identity, "type");
      identity =
        typeof type === "string" && type.toLowerCase() === "systemassigned"
          ? { type: "SystemAssigned", principalId: (prev?.identity?.principalId as string | undefined) ?? randomUUID(), tenantId: this.tenantId }
          : { ...identity };
    }
    const extra: Record<string, unknown> = {};
    for (const k of ["nonComplianceMessages", "resourceSelectors", "overrides", "definitionVersion", "assignmentType"]) {
      const v = prop(p, k);
      if (v !== undefined) extra[k] = v;
    }
    return {
      kind: "policyAssignments",
      name: prev?.name ?? name,
      scope: this.canonical(scope),
      ...(typeof location === "string" ? { location } : {}),
      ...(isObject(identity) ? { identity } : {}),
      properties: {
        ...(displayName !== undefined ? { displayName } : {}),
        policyDefinitionId: this.resourceId(def),
        scope: this.canonical(scope),
        notScopes,
        parameters: params ?? {},
        ...(description !== undefined ? { description } : {}),
        metadata: this.stampMetadata(prop(p, "metadata"), prev, by, now),
        enforcementMode: mode,
        instanceId: (prev?.properties.instanceId) ?? randomUUID(),
        ...extra,
      },
      systemData: this.systemData(prev?.systemData, by, now),
    };
  }

  /** True when `s` is the scope with key `ancestorKey` or lies below it. */
  isBelow(s: Scope, ancestorKey: string): boolean {
    try {
      return this.chain(s).includes(ancestorKey);
    } catch (e) {
      if (e instanceof ArmError) {
        // A not scope may name a subscription or resource group that does not exist yet; judge it by its path.
        if (s.kind === "rg") return scopeKey({ kind: "sub", sub: s.sub }) === ancestorKey || this.isBelow({ kind: "sub", sub: s.sub }, ancestorKey);
        return false;
      }
      throw e;
    }
  }

  patchAssignment(scope: Scope, name: string, body: unknown, by: Caller): PolicyResource {
    const r = this.get("policyAssignments", scope, name);
    if (!isObject(body)) throw invalidContent("The request content must be a JSON object. Path '', line 1, position 1.");
    const now = new Date().toISOString();
    const location = prop(body, "location");
    if (typeof location === "string") r.location = location;
    const identity = prop(body, "identity");
    if (isObject(identity)) {
      const type = prop(identity, "type");
      r.identity =
        typeof type === "string" && type.toLowerCase() === "none"
          ? undefined
          : { type: "SystemAssigned", principalId: (r.identity?.principalId) ?? randomUUID(), tenantId: this.tenantId };
      if (!r.identity) delete r.identity;
    }
    const p = prop(body, "properties");
    if (isObject(p)) {
      for (const k of ["resourceSelectors", "overrides"]) {
        const v = prop(p, k);
        if (v !== undefined) r.properties[k] = v;
      }
    }
    r.properties.metadata = this.stampMetadata(r.properties.metadata, r, by, now);
    r.systemData = this.systemData(r.systemData, by, now);
    return r;
  }

  private buildExemption(scope: Scope, name: string, body: unknown, prev: PolicyResource | undefined, by: Caller, now: string): PolicyResource {
    validateResourceName("policy exemption", name, 64, "InvalidPolicyExemptionName");
    const p = this.properties(body, "policyExemptions");
    if (!prev) this.quota("policyExemptions", scope, this.limits().exemptionsPerScope, "PolicyExemptionQuotaExceeded");
    const assignmentId = prop(p, "policyAssignmentId");
    if (typeof assignmentId !== "string" || !assignmentId) {
      throw badRequest("InvalidRequestContent", `The policy exemption '${name}' is missing the required 'policyAssignmentId'.`);
    }
    const a = this.resolve(assignmentId, ["policyAssignments"]);
    if (!a) throw notFoundError("policyAssignments", parsePolicyResourceId(assignmentId)?.name ?? assignmentId);
    const validation = prop(p, "assignmentScopeValidation") ?? "Default";
    if (show(validation).toLowerCase() !== "donotvalidate" && !this.isBelow(scope, scopeKey(this.scopeOf(a)))) {
      throw badRequest(
        "InvalidCreatePolicyExemptionRequest",
        `The policy exemption '${name}' create request is invalid. The exemption scope '${this.canonical(scope)}' is not within the scope of the policy assignment '${this.resourceId(a)}'.`,
      );
    }
    const category = prop(p, "exemptionCategory");
    const cat = typeof category === "string" ? ["Waiver", "Mitigated"].find((c) => c.toLowerCase() === category.toLowerCase()) : undefined;
    if (!cat) throw invalidContent(`Requested value '${String(category)}' was not found. Path 'properties.exemptionCategory'`);
    const expiresOn = prop(p, "expiresOn");
    if (expiresOn !== undefined && expiresOn !== null && (typeof expiresOn !== "string" || Number.isNaN(Date.parse(expiresOn)))) {
      throw invalidContent(`Could not convert string to DateTime: ${show(expiresOn)}. Path 'properties.expiresOn'`);
    }
    const refIds = prop(p, "policyDefinitionReferenceIds");
    if (refIds !== undefined && refIds !== null) {
      if (!Array.isArray(refIds) || refIds.some((x) => typeof x !== "string")) {
        throw invalidContent("Error converting value to type 'String[]'. Path 'properties.policyDefinitionReferenceIds'");
      }
      if (refIds.length) {
        const def = this.resolve(a.properties.policyDefinitionId as string, ["policySetDefinitions", "policyDefinitions"]);
        if (!def || def.kind !== "policySetDefinitions") {
          throw badRequest(
            "InvalidPolicyDefinitionReference",
            `The policy exemption '${name}' create request is invalid. The associated policy assignment is an assignment of a policy definition. The policy definition reference is only valid for policy assignments of policy set definitions.`,
          );
        }
        const known = new Set(
          (def.properties.policyDefinitions as Array<{ policyDefinitionReferenceId: string }>).map((m) => m.policyDefinitionReferenceId.toLowerCase()),
        );
        const missing = (refIds as string[]).find((x) => !known.has(x.toLowerCase()));
        if (missing) {
          throw badRequest(
            "InvalidPolicyDefinitionReference",
            `The policy exemption '${name}' create request is invalid. The policy definition reference id '${missing}' does not exist in the policy set definition '${this.resourceId(def)}'.`,
          );
        }
      }
    }
    const displayName = optionalString(name, "displayName", prop(p, "displayName"), 128);
    const description = optionalString(name, "description", prop(p, "description"), 512);
    return {
      kind: "policyExemptions",
      name: prev?.name ?? name,
      scope: this.canonical(scope),
      properties: {
        policyAssignmentId: this.resourceId(a),
        policyDefinitionReferenceIds: refIds ?? [],
        exemptionCategory: cat,
        ...(typeof expiresOn === "string" ? { expiresOn: new Date(expiresOn).toISOString() } : {}),
        ...(displayName !== undefined ? { displayName } : {}),
        ...(description !== undefined ? { description } : {}),
        metadata: this.stampMetadata(prop(p, "metadata"), prev, by, now),
        assignmentScopeValidation: show(validation).toLowerCase() === "donotvalidate" ? "DoNotValidate" : "Default",
        ...(prop(p, "resourceSelectors") !== undefined ? { resourceSelectors: prop(p, "resourceSelectors") } : {}),
      },
      systemData: this.systemData(prev?.systemData, by, now),
    };
  }

  /** Deletes; returns the removed resource or undefined when nothing was there. `force` skips ARM's in-use checks. */
  delete(kind: PolicyKind, scope: Scope, name: string, force = false): PolicyResource | undefined {
    this.chain(scope);
    const m = this.peek(scopeKey(scope), kind);
    const r = m?.get(name.toLowerCase());
    if (!r) return undefined;
    if (!force && (kind === "policyDefinitions" || kind === "policySetDefinitions")) {
      const id = this.resourceId(r).toLowerCase();
      const assignment = this.all("policyAssignments").find((a) => String(a.properties.policyDefinitionId).toLowerCase() === id);
      if (assignment) {
        const code = kind === "policyDefinitions" ? "InvalidDeletePolicyDefinitionRequest" : "InvalidDeletePolicySetDefinitionRequest";
        throw badRequest(
          code,
          `The ${NOUN[kind]} '${r.name}' cannot be deleted. It is referenced by the policy assignment '${this.resourceId(assignment)}'. Please delete all policy assignments referencing the policy.`,
        );
      }
      if (kind === "policyDefinitions") {
        const set = this.all("policySetDefinitions").find((s) =>
          (s.properties.policyDefinitions as Array<{ policyDefinitionId: string }>).some((x) => x.policyDefinitionId.toLowerCase() === id),
        );
        if (set) {
          throw badRequest(
            "InvalidDeletePolicyDefinitionRequest",
            `The policy definition '${r.name}' cannot be deleted. It is referenced by the policy set definition '${this.resourceId(set)}'. Please remove the policy definition from all policy set definitions referencing it.`,
          );
        }
      }
    }
    m!.delete(name.toLowerCase());
    return r;
  }

  // ---------------------------------------------------------------- ARM shapes

  toArm(r: PolicyResource): Record<string, unknown> {
    return {
      ...(r.kind === "policyAssignments" && r.location ? { location: r.location } : {}),
      ...(r.identity ? { identity: r.identity } : {}),
      properties: r.properties,
      id: this.resourceId(r),
      type: TYPES[r.kind],
      name: r.name,
      ...(r.scope !== "" ? { systemData: r.systemData } : {}),
    };
  }

  mgId(key: string): string {
    return MG_PREFIX + (this.mgs.get(key)?.name ?? key);
  }

  mgInfo(key: string): Record<string, unknown> {
    const mg = this.mgs.get(key)!;
    return {
      id: this.mgId(key),
      type: "Microsoft.Management/managementGroups",
      name: mg.name,
      properties: { tenantId: this.tenantId, displayName: mg.displayName },
    };
  }

  mgFull(key: string, expandChildren: boolean, recurse: boolean, filterNoSubs = false): Record<string, unknown> {
    const mg = this.mgs.get(key)!;
    const chain = this.mgChain(mg.name).slice(1);
    const parent = mg.parent !== undefined ? this.mgs.get(mg.parent) : undefined;
    const childInfo = (k: string, deep: boolean): Record<string, unknown> => {
      const c = this.mgs.get(k)!;
      return {
        type: "Microsoft.Management/managementGroups",
        id: this.mgId(k),
        name: c.name,
        displayName: c.displayName,
        ...(deep ? { children: this.children(k, true, filterNoSubs, childInfo) } : {}),
      };
    };
    return {
      id: this.mgId(key),
      type: "Microsoft.Management/managementGroups",
      name: mg.name,
      properties: {
        tenantId: this.tenantId,
        displayName: mg.displayName,
        details: {
          version: mg.version,
          updatedTime: mg.updatedTime,
          updatedBy: mg.updatedBy,
          ...(parent ? { parent: { id: this.mgId(mg.parent!), name: parent.name, displayName: parent.displayName } } : {}),
          path: [...chain].reverse().concat(mg.name.toLowerCase()).map((k) => ({ name: this.mgs.get(k)!.name, displayName: this.mgs.get(k)!.displayName })),
          managementGroupAncestors: chain.map((k) => this.mgs.get(k)!.name),
          managementGroupAncestorsChain: chain.map((k) => ({ name: this.mgs.get(k)!.name, displayName: this.mgs.get(k)!.displayName })),
        },
        ...(expandChildren ? { children: this.children(key, recurse, filterNoSubs, childInfo) } : {}),
      },
    };
  }

  private children(
    key: string,
    recurse: boolean,
    noSubs: boolean,
    childInfo: (k: string, deep: boolean) => Record<string, unknown>,
  ): Array<Record<string, unknown>> {
    const mg = this.mgs.get(key)!;
    const out = mg.children.map((c) => childInfo(c, recurse));
    if (!noSubs) {
      for (const s of mg.subSet) {
        const sub = this.subs.get(s)!;
        out.push({ type: "/subscriptions", id: `/subscriptions/${sub.subscriptionId}`, name: sub.subscriptionId, displayName: sub.displayName });
      }
    }
    return out;
  }

  /** Depth-first descendants of a management group, as the descendants API lists them. */
  descendants(mgName: string): Array<Record<string, unknown>> {
    const root = this.mustMg(mgName);
    const out: Array<Record<string, unknown>> = [];
    const walk = (key: string): void => {
      const mg = this.mgs.get(key)!;
      for (const c of mg.children) {
        const child = this.mgs.get(c)!;
        out.push({
          id: this.mgId(c),
          type: "Microsoft.Management/managementGroups",
          name: child.name,
          properties: { displayName: child.displayName, parent: { id: this.mgId(key) } },
        });
        walk(c);
      }
      for (const s of mg.subSet) {
        const sub = this.subs.get(s)!;
        out.push({
          id: `/subscriptions/${sub.subscriptionId}`,
          type: "/subscriptions",
          name: sub.subscriptionId,
          properties: { displayName: sub.displayName, parent: { id: this.mgId(key) } },
        });
      }
    };
    walk(root.name.toLowerCase());
    return out;
  }

  subUnderMg(s: Subscription): Record<string, unknown> {
    return {
      id: `${this.mgId(s.parent)}/subscriptions/${s.subscriptionId}`,
      type: "Microsoft.Management/managementGroups/subscriptions",
      name: s.subscriptionId,
      properties: { tenant: this.tenantId, displayName: s.displayName, parent: { id: this.mgId(s.parent) }, state: s.state === "Enabled" ? "Active" : s.state },
    };
  }

  subArm(s: Subscription): Record<string, unknown> {
    return {
      id: `/subscriptions/${s.subscriptionId}`,
      authorizationSource: "RoleBased",
      managedByTenants: [],
      tags: s.tags,
      subscriptionId: s.subscriptionId,
      tenantId: this.tenantId,
      displayName: s.displayName,
      state: s.state,
      subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
    };
  }

  tagsArm(s: Subscription): Record<string, unknown> {
    return {
      id: `/subscriptions/${s.subscriptionId}/providers/Microsoft.Resources/tags/default`,
      name: "default",
      type: "Microsoft.Resources/tags",
      properties: { tags: s.tags },
    };
  }

  // ---------------------------------------------------------------- persistence

  snapshot(): StateSnapshot {
    const resources: PolicyResource[] = [];
    for (const b of this.buckets.values()) for (const m of b.values()) for (const r of m.values()) if (r.scope !== "") resources.push(r);
    return {
      tenantId: this.tenantId,
      // Parents before children so restore can rebuild the tree in one pass.
      managementGroups: this.mgOrder().map((k) => {
        const { children: _c, subSet: _ss, ...rest } = this.mgs.get(k)!;
        return rest;
      }),
      subscriptions: [...this.subs.values()],
      resources,
      apps: [...this.apps.values()],
    };
  }

  private mgOrder(): string[] {
    const out: string[] = [];
    const walk = (k: string): void => {
      out.push(k);
      for (const c of this.mgs.get(k)!.children) walk(c);
    };
    walk(this.rootKey);
    return out;
  }

  restore(s: StateSnapshot): void {
    for (const mg of s.managementGroups) {
      if (mg.parent === undefined) {
        Object.assign(this.mgs.get(this.rootKey)!, { displayName: mg.displayName, version: mg.version, updatedTime: mg.updatedTime, updatedBy: mg.updatedBy });
        continue;
      }
      const parent = this.mgs.get(mg.parent);
      if (!parent) continue;
      this.mgs.set(mg.name.toLowerCase(), { ...mg, children: [], subSet: new Set() });
      parent.children.push(mg.name.toLowerCase());
    }
    for (const sub of s.subscriptions) this.addSubscription(sub);
    for (const r of s.resources) {
      const scope = parseScope(r.scope);
      if (scope) this.bucket(scopeKey(scope), r.kind).set(r.name.toLowerCase(), r);
    }
    for (const a of s.apps) this.apps.set(a.appId.toLowerCase(), a);
  }

  /** Removes everything except built-ins and registered apps. */
  clear(): void {
    for (const k of [...this.buckets.keys()]) if (k !== "") this.buckets.delete(k);
    this.subs.clear();
    for (const k of [...this.mgs.keys()]) if (k !== this.rootKey) this.mgs.delete(k);
    const root = this.mgs.get(this.rootKey)!;
    root.children = [];
    root.subSet.clear();
  }
}
