import { badRequest, notFound } from "./errors.ts";
import type { AzureLimits, AppRegistration, ManagementGroup, Subscription } from "./model.ts";
import { MG_PREFIX, scopeKey, type Scope } from "./scope.ts";
import type { Bucket } from "./state-common.ts";
import { validateResourceName } from "./validate.ts";

/**
 * The tenant's management-group tree and subscriptions (lookups, moves, tags, scope chains) and their
 * ARM shapes. The policy resources stored at each scope are added by the layers above it
 * (state-resources.ts, state-definitions.ts, state-assignments.ts); `AzureState` is the whole.
 */
export class AzureHierarchy {
  readonly mgs = new Map<string, ManagementGroup & { subSet: Set<string> }>();
  readonly subs = new Map<string, Subscription>();
  readonly apps = new Map<string, AppRegistration>();
  protected readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly tenantId: string,
    protected readonly limits: () => AzureLimits,
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
        throw badRequest(
          "InvalidManagementGroupParent",
          `The management group '${name}' cannot be moved under its own descendant '${newParent}'.`,
        );
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

  // ---------------------------------------------------------------- ARM shapes of the tree

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

  /**
   * ManagementGroups_Get's body. `details.path` and the ancestors only come with `$expand=path` /
   * `$expand=ancestors` (specification/managementgroups/.../stable/2023-04-01/examples: GetManagementGroup and
   * GetManagementGroupWithExpand carry neither, GetManagementGroupWithAncestors carries
   * `managementGroupAncestorsChain`, immediate parent first); writes answer with both, as before.
   */
  mgFull(
    key: string,
    expandChildren: boolean,
    recurse: boolean,
    filterNoSubs = false,
    expand: { path: boolean; ancestors: boolean } = { path: true, ancestors: true },
  ): Record<string, unknown> {
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
          ...(expand.path
            ? {
                path: [...chain]
                  .reverse()
                  .concat(mg.name.toLowerCase())
                  .map((k) => ({ name: this.mgs.get(k)!.name, displayName: this.mgs.get(k)!.displayName })),
              }
            : {}),
          ...(expand.ancestors
            ? {
                managementGroupAncestors: chain.map((k) => this.mgs.get(k)!.name),
                managementGroupAncestorsChain: chain.map((k) => ({
                  name: this.mgs.get(k)!.name,
                  displayName: this.mgs.get(k)!.displayName,
                })),
              }
            : {}),
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
        out.push({
          type: "/subscriptions",
          id: `/subscriptions/${sub.subscriptionId}`,
          name: sub.subscriptionId,
          displayName: sub.displayName,
        });
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
      properties: {
        tenant: this.tenantId,
        displayName: s.displayName,
        parent: { id: this.mgId(s.parent) },
        state: s.state === "Enabled" ? "Active" : s.state,
      },
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
}
