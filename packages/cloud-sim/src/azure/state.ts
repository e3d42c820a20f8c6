import type { PolicyKind, PolicyResource } from "./model.ts";
import { parseScope, scopeKey, type Scope } from "./scope.ts";
import type { Caller, StateSnapshot } from "./state-common.ts";
import { AzureAssignments } from "./state-assignments.ts";

export { KIND_BY_SEGMENT, notFoundError, type Caller, type StateSnapshot } from "./state-common.ts";

/**
 * In-memory Azure tenant: management-group tree, subscriptions and Microsoft.Authorization resources.
 * Built in layers, each in its own file: state-hierarchy.ts (management groups, subscriptions),
 * state-resources.ts (policy resources per scope), state-definitions.ts, state-assignments.ts
 * (assignments and exemptions); shared types are in state-common.ts.
 */
export class AzureState extends AzureAssignments {
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
        Object.assign(this.mgs.get(this.rootKey)!, {
          displayName: mg.displayName,
          version: mg.version,
          updatedTime: mg.updatedTime,
          updatedBy: mg.updatedBy,
        });
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
