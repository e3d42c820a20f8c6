import { createPublicKey, type KeyObject } from "node:crypto";
import { CATALOG_TIME, SECURITY_ZONE_POLICIES } from "./catalog.ts";
import type { OciRequestPrincipal } from "./authorize.ts";
import { invalid, notFound } from "./errors.ts";
import { makeEtag, makeOcid } from "./ids.ts";
import {
  DEFAULT_LIMITS,
  type OciCloudGuardTarget,
  type OciCompartment,
  type OciGroup,
  type OciLimits,
  type OciPolicy,
  type OciSecurityRecipe,
  type OciSecurityZone,
  type OciStateData,
  type OciTenancy,
  type OciUser,
  type OciWorkRequest,
} from "./model.ts";
import { fingerprintOf } from "./signature.ts";
import type { Mutation } from "./store-common.ts";

const ORACLE_RECIPE_NAME = "Maximum Security Recipe";

/**
 * The state every part of the store shares (tenancy, maps of every resource kind, limits), its
 * persistence, and the API users, groups and keys callers authenticate with. The layers above it
 * (compartments, policies, security zones) add the services' operations; `OciStore` is the whole.
 */
export class OciTenancyState {
  tenancy: OciTenancy;
  readonly compartments = new Map<string, OciCompartment>();
  protected readonly children = new Map<string, Set<string>>();
  readonly policies = new Map<string, OciPolicy>();
  readonly recipes = new Map<string, OciSecurityRecipe>();
  readonly zones = new Map<string, OciSecurityZone>();
  readonly users = new Map<string, OciUser>();
  readonly groups = new Map<string, OciGroup>();
  /** Cloud Guard targets (see targets.ts). */
  readonly targets = new Map<string, OciCloudGuardTarget>();
  /** The default domain's Administrators group: its members are exempt from every deny statement. */
  administratorsGroupId: string;
  readonly workRequests = new Map<string, OciWorkRequest>();
  private readonly keyCache = new Map<string, KeyObject>();
  limits: OciLimits = { ...DEFAULT_LIMITS };
  /** The user the admin API's out-of-band changes are attributed to (a console human). */
  humanUserId: string;

  constructor(
    readonly rand: () => number,
    protected readonly onMutation: (m: Mutation) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.tenancy = {
      id: makeOcid(rand, "tenancy"),
      name: "parapet-sim",
      description: "Simulated OCI tenancy",
      homeRegionKey: "FRA",
      freeformTags: {},
      definedTags: {},
      denyPoliciesEnabled: false,
    };
    this.administratorsGroupId = makeOcid(rand, "group");
    this.groups.set(this.administratorsGroupId, { id: this.administratorsGroupId, name: "Administrators" });
    this.humanUserId = makeOcid(rand, "user");
    this.users.set(this.humanUserId, {
      id: this.humanUserId,
      name: "console-admin@example.com",
      permissions: ["*"],
      apiKeys: [],
      groupIds: [this.administratorsGroupId],
    });
    this.addOracleRecipe();
  }

  protected iso(): string {
    return new Date(this.now()).toISOString();
  }

  nowIso(): string {
    return this.iso();
  }

  private addOracleRecipe(): void {
    const id = makeOcid(this.rand, "securityzonessecurityrecipe");
    this.recipes.set(id, {
      id,
      displayName: ORACLE_RECIPE_NAME,
      description: "Oracle-managed recipe with every security zone policy.",
      compartmentId: this.tenancy.id,
      owner: "ORACLE",
      securityPolicies: SECURITY_ZONE_POLICIES.map((p) => p.id),
      timeCreated: CATALOG_TIME,
      timeUpdated: CATALOG_TIME,
      lifecycleState: "ACTIVE",
      freeformTags: {},
      definedTags: {},
      etag: makeEtag(this.rand),
    });
  }

  // ---------------------------------------------------------------- persistence

  toData(): OciStateData {
    return {
      tenancy: this.tenancy,
      compartments: [...this.compartments.values()],
      policies: [...this.policies.values()],
      recipes: [...this.recipes.values()],
      zones: [...this.zones.values()],
      users: [...this.users.values()],
      groups: [...this.groups.values()],
      targets: [...this.targets.values()],
      workRequests: [...this.workRequests.values()],
    };
  }

  load(d: OciStateData): void {
    this.tenancy = d.tenancy;
    for (const m of [this.compartments, this.children, this.policies, this.recipes, this.zones, this.users, this.workRequests]) m.clear();
    this.keyCache.clear();
    for (const c of d.compartments) this.insertCompartment(c);
    for (const p of d.policies) this.policies.set(p.id, p);
    for (const r of d.recipes) this.recipes.set(r.id, r);
    for (const z of d.zones) this.zones.set(z.id, z);
    for (const u of d.users) this.users.set(u.id, u);
    this.targets.clear();
    for (const t of d.targets ?? []) this.targets.set(t.id, t);
    if (d.groups) {
      this.groups.clear();
      for (const g of d.groups) this.groups.set(g.id, g);
      const admins = d.groups.find((g) => g.name === "Administrators");
      if (admins) this.administratorsGroupId = admins.id;
    }
    for (const w of d.workRequests) this.workRequests.set(w.id, w);
    const human = d.users.find((u) => u.name === "console-admin@example.com");
    if (human) this.humanUserId = human.id;
  }

  // ---------------------------------------------------------------- users and keys

  addUser(name: string, permissions: string[] = ["*"], id = makeOcid(this.rand, "user"), groupIds: string[] = []): OciUser {
    const u: OciUser = { id, name, permissions: [...permissions], apiKeys: [], groupIds: [...groupIds] };
    this.users.set(id, u);
    return u;
  }

  /** The named group of the default domain, created on first use. */
  ensureGroup(name: string): OciGroup {
    for (const g of this.groups.values()) if (g.name.toLowerCase() === name.toLowerCase()) return g;
    const g: OciGroup = { id: makeOcid(this.rand, "group"), name };
    this.groups.set(g.id, g);
    return g;
  }

  setUserGroups(userId: string, groupIds: string[]): OciUser {
    const u = this.users.get(userId);
    if (!u) throw notFound(`User ${userId} not found.`);
    for (const g of groupIds) if (!this.groups.has(g)) throw invalid(`Group ${g} does not exist.`);
    u.groupIds = [...new Set(groupIds)];
    return u;
  }

  /** The caller as IAM evaluates it (every simulator caller is an API-key user). */
  principalOf(userId: string): OciRequestPrincipal {
    const groups = (this.users.get(userId)?.groupIds ?? []).flatMap((id) => {
      const g = this.groups.get(id);
      return g ? [g] : [];
    });
    return { id: userId, type: "user", groups, defaultDomainAdministrator: groups.some((g) => g.id === this.administratorsGroupId) };
  }

  addApiKey(userId: string, publicKeyPem: string): string {
    const u = this.users.get(userId);
    if (!u) throw notFound(`User ${userId} not found.`);
    let fingerprint: string;
    try {
      fingerprint = fingerprintOf(publicKeyPem);
    } catch {
      throw invalid("publicKeyPem is not a valid PEM public key.");
    }
    if (!u.apiKeys.some((k) => k.fingerprint === fingerprint)) u.apiKeys.push({ fingerprint, publicKeyPem });
    return fingerprint;
  }

  resolveKey(tenancyId: string, userId: string, fingerprint: string): KeyObject | undefined {
    if (tenancyId !== this.tenancy.id) return undefined;
    const k = this.users.get(userId)?.apiKeys.find((a) => a.fingerprint === fingerprint);
    if (!k) return undefined;
    const cacheKey = `${userId}/${fingerprint}`;
    let obj = this.keyCache.get(cacheKey);
    if (!obj) {
      obj = createPublicKey(k.publicKeyPem);
      this.keyCache.set(cacheKey, obj);
    }
    return obj;
  }

  mayCall(userId: string, operation: string): boolean {
    const p = this.users.get(userId)?.permissions;
    return !!p && (p.includes("*") || p.includes(operation));
  }

  // ---------------------------------------------------------------- compartment tree bookkeeping (load needs it)

  protected insertCompartment(c: OciCompartment): void {
    this.compartments.set(c.id, c);
    let set = this.children.get(c.compartmentId);
    if (!set) {
      set = new Set();
      this.children.set(c.compartmentId, set);
    }
    set.add(c.id);
  }
}
