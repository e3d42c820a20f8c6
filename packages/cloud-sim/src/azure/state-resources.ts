import { ArmError, badRequest, invalidContent } from "./errors.ts";
import type { PolicyKind, PolicyResource, SystemData } from "./model.ts";
import { parsePolicyResourceId, parseScope, scopeKey, type Scope } from "./scope.ts";
import { KIND_BY_SEGMENT, NOUN, TYPES, notFoundError, type Caller } from "./state-common.ts";
import { AzureHierarchy } from "./state-hierarchy.ts";
import { isObject, prop } from "./validate.ts";

/**
 * Microsoft.Authorization resources stored per scope: lookups, ids, quotas, the metadata and
 * systemData ARM stamps, references between them, deletes and the ARM shape.
 */
export class AzureResourceStore extends AzureHierarchy {
  // ---------------------------------------------------------------- policy resources

  protected bucket(key: string, kind: PolicyKind): Map<string, PolicyResource> {
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

  protected systemData(prev: SystemData | undefined, by: Caller, now: string): SystemData {
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
  protected stampMetadata(metadata: unknown, prev: PolicyResource | undefined, by: Caller, now: string): Record<string, unknown> {
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

  protected properties(body: unknown, kind: PolicyKind): Record<string, unknown> {
    if (!isObject(body)) throw invalidContent("The request content must be a JSON object. Path '', line 1, position 1.");
    const p = prop(body, "properties");
    if (!isObject(p)) {
      throw badRequest("InvalidRequestContent", `The request content is missing the required 'properties' of the ${NOUN[kind]}.`);
    }
    return p;
  }

  protected assertScopeWritable(scope: Scope, kind: PolicyKind): void {
    const ok =
      kind === "policyDefinitions" || kind === "policySetDefinitions"
        ? scope.kind === "mg" || scope.kind === "sub"
        : scope.kind !== "tenant";
    if (!ok) throw badRequest("InvalidScope", `The scope '${this.canonical(scope)}' is not valid for a ${NOUN[kind]}.`);
  }

  protected quota(kind: PolicyKind, scope: Scope, limit: number, code: string): void {
    if (this.countAt(scopeKey(scope), kind) >= limit) {
      throw badRequest(
        code,
        `The ${NOUN[kind]} quota has been exceeded: scope '${this.canonical(scope)}' already has the maximum of ${limit} ${NOUN[kind]}s.`,
      );
    }
  }

  /** A definition (or set) referenced from `scope` must live at or above it. */
  protected resolveInScope(id: unknown, kinds: PolicyKind[], scope: Scope, owner: string): PolicyResource {
    if (typeof id !== "string" || id.length === 0) {
      throw badRequest("InvalidRequestContent", `The '${owner}' is missing the required 'policyDefinitionId'.`);
    }
    const p = parsePolicyResourceId(id);
    const kind = p ? KIND_BY_SEGMENT[p.type] : undefined;
    if (!p || !kind || !kinds.includes(kind)) {
      throw badRequest(
        "InvalidPolicyDefinitionId",
        `The policy definition id '${id}' of '${owner}' is not a valid ${kinds.map((k) => NOUN[k]).join(" or ")} id.`,
      );
    }
    const r = this.resolve(id, kinds);
    if (!r) throw notFoundError(kind, p.name);
    const chain = this.chain(scope);
    if (r.scope !== "" && !chain.includes(scopeKey(this.scopeOf(r)))) {
      throw badRequest(
        kind === "policyDefinitions" && kinds.length === 1
          ? "InvalidCreatePolicySetDefinitionRequest"
          : "InvalidCreatePolicyAssignmentRequest",
        `The policy definition specified in '${owner}' is out of scope. Policy definitions should be specified only at or above the scope of '${owner}'.`,
      );
    }
    return r;
  }

  /** True when `s` is the scope with key `ancestorKey` or lies below it. */
  isBelow(s: Scope, ancestorKey: string): boolean {
    try {
      return this.chain(s).includes(ancestorKey);
    } catch (e) {
      if (e instanceof ArmError) {
        // A not scope may name a subscription or resource group that does not exist yet; judge it by its path.
        if (s.kind === "rg")
          return scopeKey({ kind: "sub", sub: s.sub }) === ancestorKey || this.isBelow({ kind: "sub", sub: s.sub }, ancestorKey);
        return false;
      }
      throw e;
    }
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
}
