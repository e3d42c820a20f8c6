import { createPublicKey, type KeyObject } from "node:crypto";
import { CATALOG_TIME, SECURITY_ZONE_POLICIES } from "./catalog.ts";
import type { OciRequestPrincipal } from "./authorize.ts";
import { checkPolicyWrite, DENY_GUARD_POLICY_NAME, denyGuardStatement } from "./deny-guard.ts";
import { conflict, invalid, limitExceeded, noEtagMatch, notFound } from "./errors.ts";
import { makeEtag, makeOcid } from "./ids.ts";
import {
  DEFAULT_LIMITS,
  type DefinedTags,
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
  type Tags,
} from "./model.ts";
import { fingerprintOf } from "./signature.ts";
import { parseStatement, type StatementLocation } from "./statements.ts";
import { replaceTargetsForZone, type TargetHost } from "./targets.ts";
import { asObject, bool, definedTags, freeformTags, str, strArray, type Json } from "./validate.ts";

/** Who made a change: an SDK caller (signed request) or a human through the admin API / console. */
export interface Actor {
  principalId: string;
  via: "api" | "admin";
}

/** What the simulator tells the event layer after every mutation. */
export interface Mutation {
  service: "identity" | "cloudguard";
  /** Lowercase OCI operation, e.g. "createpolicy", "movecompartment", "deletesecurityzone". */
  action: string;
  resourceId: string;
  resourceName: string;
  compartmentId: string;
  freeformTags: Tags;
  definedTags: DefinedTags;
  additionalDetails: Record<string, unknown>;
  actor: Actor;
}

const COMPARTMENT_NAME = /^[A-Za-z0-9._-]+$/;
const POLICY_NAME = /^[A-Za-z0-9._ -]+$/;
const ORACLE_RECIPE_NAME = "Maximum Security Recipe";

export interface Page<T> {
  items: T[];
  next?: string;
}

/** Opaque page tokens (OCI's are opaque too): the offset into a stable ordering. */
export function paginate<T>(all: T[], limit: number, page: string | undefined): Page<T> {
  let offset = 0;
  if (page !== undefined) {
    const m = /^p([0-9]{1,9})$/.exec(Buffer.from(page, "base64url").toString("utf8"));
    if (!m?.[1]) throw invalid(`Invalid page token '${page}'.`);
    offset = Number(m[1]);
  }
  const items = all.slice(offset, offset + limit);
  const nextOffset = offset + items.length;
  return { items, next: nextOffset < all.length ? Buffer.from(`p${nextOffset}`).toString("base64url") : undefined };
}

/**
 * The OCI tenancy as the simulator holds it: IAM compartments and policies, Cloud Guard recipes and
 * zones, users with API keys and permissions. Every method enforces the service's own validation,
 * limits and error codes; the HTTP layer and the admin API both call these.
 */
export class OciStore implements TargetHost {
  tenancy: OciTenancy;
  readonly compartments = new Map<string, OciCompartment>();
  private readonly children = new Map<string, Set<string>>();
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
    private readonly onMutation: (m: Mutation) => void,
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

  private iso(): string {
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

  /** Whether a statement location in policy `owner` includes compartment `target`. */
  locationCovers(owner: OciPolicy, loc: StatementLocation, target: string): boolean {
    if (loc.kind === "tenancy") return true;
    if (loc.kind === "compartmentId") return this.isDescendantOrSelf(target, loc.id);
    const ownerCompartment = this.getCompartment(owner.compartmentId);
    const [first] = loc.path;
    if (loc.path.length === 1 && first !== undefined && !this.isRoot(owner.compartmentId) && first.toLowerCase() === ownerCompartment.name.toLowerCase()) {
      return this.isDescendantOrSelf(target, owner.compartmentId);
    }
    let cur: string | undefined = owner.compartmentId;
    for (const seg of loc.path) cur = cur === undefined ? undefined : this.siblingNamed(cur, seg)?.id;
    return cur !== undefined && this.isDescendantOrSelf(target, cur);
  }

  private guardPolicyWrite(actor: Actor, compartmentId: string, operation: string, statements: readonly string[]): void {
    checkPolicyWrite(
      {
        policies: this.policies.values(),
        principal: this.principalOf(actor.principalId),
        compartmentId,
        covers: (owner, loc, target) => this.locationCovers(owner, loc, target),
      },
      operation,
      statements,
    );
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

  // ---------------------------------------------------------------- compartments

  private insertCompartment(c: OciCompartment): void {
    this.compartments.set(c.id, c);
    let set = this.children.get(c.compartmentId);
    if (!set) {
      set = new Set();
      this.children.set(c.compartmentId, set);
    }
    set.add(c.id);
  }

  private reparent(c: OciCompartment, parentId: string): void {
    this.children.get(c.compartmentId)?.delete(c.id);
    c.compartmentId = parentId;
    let set = this.children.get(parentId);
    if (!set) {
      set = new Set();
      this.children.set(parentId, set);
    }
    set.add(c.id);
  }

  isRoot(id: string): boolean {
    return id === this.tenancy.id;
  }

  /** The root compartment is the tenancy itself; GetCompartment on it answers like a compartment. */
  rootAsCompartment(): OciCompartment {
    return {
      id: this.tenancy.id,
      compartmentId: this.tenancy.id,
      name: this.tenancy.name,
      description: this.tenancy.description,
      timeCreated: CATALOG_TIME,
      lifecycleState: "ACTIVE",
      freeformTags: this.tenancy.freeformTags,
      definedTags: this.tenancy.definedTags,
      etag: "root",
    };
  }

  /** ACTIVE compartment or the root; else 404 like OCI. */
  activeCompartment(id: string | undefined): OciCompartment {
    if (!id) throw notFound();
    if (this.isRoot(id)) return this.rootAsCompartment();
    const c = this.compartments.get(id);
    if (!c || c.lifecycleState !== "ACTIVE") throw notFound();
    return c;
  }

  getCompartment(id: string): OciCompartment {
    if (this.isRoot(id)) return this.rootAsCompartment();
    const c = this.compartments.get(id);
    if (!c) throw notFound();
    return c;
  }

  childIds(id: string): string[] {
    return [...(this.children.get(id) ?? [])];
  }

  /** Depth below the root: a direct child of the tenancy is 1. */
  depthOf(id: string): number {
    let d = 0;
    let cur = id;
    while (!this.isRoot(cur)) {
      const c = this.compartments.get(cur);
      if (!c) break;
      d++;
      cur = c.compartmentId;
    }
    return d;
  }

  /** Height of the subtree under id (0 for a leaf). */
  private heightOf(id: string): number {
    let h = 0;
    for (const ch of this.children.get(id) ?? []) {
      const c = this.compartments.get(ch);
      if (c?.lifecycleState === "ACTIVE") h = Math.max(h, 1 + this.heightOf(ch));
    }
    return h;
  }

  isDescendantOrSelf(id: string, ancestor: string): boolean {
    let cur = id;
    for (let guard = 0; guard < 10_000; guard++) {
      if (cur === ancestor) return true;
      if (this.isRoot(cur)) return false;
      const c = this.compartments.get(cur);
      if (!c) return false;
      cur = c.compartmentId;
    }
    return false;
  }

  /** Every compartment below id, depth-first in creation order. */
  subtree(id: string): OciCompartment[] {
    const out: OciCompartment[] = [];
    const stack = [...(this.children.get(id) ?? [])].reverse();
    while (stack.length) {
      const cid = stack.pop() as string;
      const c = this.compartments.get(cid);
      if (!c) continue;
      out.push(c);
      const kids = this.children.get(cid);
      if (kids) stack.push(...[...kids].reverse());
    }
    return out;
  }

  private activeCompartmentCount(): number {
    let n = 0;
    for (const c of this.compartments.values()) if (c.lifecycleState === "ACTIVE") n++;
    return n;
  }

  private siblingNamed(parentId: string, name: string, exceptId?: string): OciCompartment | undefined {
    const lower = name.toLowerCase();
    for (const id of this.children.get(parentId) ?? []) {
      const c = this.compartments.get(id);
      if (c && c.id !== exceptId && c.lifecycleState === "ACTIVE" && c.name.toLowerCase() === lower) return c;
    }
    return undefined;
  }

  createCompartment(body: unknown, actor: Actor, opts: { skipLimits?: boolean; quiet?: boolean } = {}): OciCompartment {
    const o = asObject(body, "CreateCompartmentDetails");
    const parentId = str(o, "compartmentId", { required: true }) as string;
    const name = str(o, "name", { required: true, max: 100, pattern: COMPARTMENT_NAME, patternHelp: "may contain only letters, numbers, periods, hyphens and underscores" }) as string;
    const description = str(o, "description", { required: true, max: 400 }) as string;
    const ff = freeformTags(o) ?? {};
    const dt = definedTags(o) ?? {};
    this.activeCompartment(parentId);
    if (!opts.skipLimits) {
      if (this.depthOf(parentId) + 1 > this.limits.compartmentDepth) {
        throw invalid(`Compartments can be nested at most ${this.limits.compartmentDepth} levels deep.`);
      }
      if (this.activeCompartmentCount() >= this.limits.compartmentsPerTenancy) {
        throw limitExceeded(`The tenancy already has the maximum number of compartments (${this.limits.compartmentsPerTenancy}).`);
      }
    }
    if (this.siblingNamed(parentId, name)) {
      throw conflict("CompartmentAlreadyExists", `Compartment '${name}' already exists in the parent compartment.`);
    }
    const c: OciCompartment = {
      id: makeOcid(this.rand, "compartment"),
      compartmentId: parentId,
      name,
      description,
      timeCreated: this.iso(),
      lifecycleState: "ACTIVE",
      freeformTags: ff,
      definedTags: dt,
      etag: makeEtag(this.rand),
    };
    this.insertCompartment(c);
    if (!opts.quiet) this.emitCompartment("createcompartment", c, actor);
    return c;
  }

  updateCompartment(id: string, body: unknown, ifMatch: string | undefined, actor: Actor): OciCompartment {
    if (this.isRoot(id)) throw invalid("The root compartment cannot be updated through UpdateCompartment; use UpdateTenancy.");
    const c = this.activeCompartment(id);
    if (ifMatch !== undefined && ifMatch !== c.etag) throw noEtagMatch();
    const o = asObject(body, "UpdateCompartmentDetails");
    const name = str(o, "name", { max: 100, pattern: COMPARTMENT_NAME, patternHelp: "may contain only letters, numbers, periods, hyphens and underscores" });
    const description = str(o, "description", { min: 1, max: 400 });
    const ff = freeformTags(o);
    const dt = definedTags(o);
    if (name !== undefined && this.siblingNamed(c.compartmentId, name, c.id)) {
      throw conflict("CompartmentAlreadyExists", `Compartment '${name}' already exists in the parent compartment.`);
    }
    if (name !== undefined) c.name = name;
    if (description !== undefined) c.description = description;
    if (ff !== undefined) c.freeformTags = ff;
    if (dt !== undefined) c.definedTags = dt;
    c.etag = makeEtag(this.rand);
    this.emitCompartment("updatecompartment", c, actor);
    return c;
  }

  moveCompartment(id: string, body: unknown, ifMatch: string | undefined, actor: Actor): OciWorkRequest {
    if (this.isRoot(id)) throw invalid("The root compartment cannot be moved.");
    const c = this.activeCompartment(id);
    if (ifMatch !== undefined && ifMatch !== c.etag) throw noEtagMatch();
    const o = asObject(body, "MoveCompartmentDetails");
    const target = str(o, "targetCompartmentId", { required: true }) as string;
    this.activeCompartment(target);
    if (this.isDescendantOrSelf(target, c.id)) {
      throw invalid("A compartment cannot be moved into itself or one of its descendants.");
    }
    if (target === c.compartmentId) throw invalid("The compartment is already in the target compartment.");
    if (this.depthOf(target) + 1 + this.heightOf(c.id) > this.limits.compartmentDepth) {
      throw invalid(`Moving this compartment would nest compartments more than ${this.limits.compartmentDepth} levels deep.`);
    }
    if (this.siblingNamed(target, c.name)) {
      throw conflict("CompartmentAlreadyExists", `Compartment '${c.name}' already exists in the target compartment.`);
    }
    const from = c.compartmentId;
    this.reparent(c, target);
    c.etag = makeEtag(this.rand);
    const t = this.iso();
    const wr: OciWorkRequest = {
      id: makeOcid(this.rand, "workrequest"),
      operationType: "MOVE_COMPARTMENT",
      compartmentId: target,
      status: "SUCCEEDED",
      resources: [{ identifier: c.id, entityType: "compartment", actionType: "RELATED", entityUri: `/20160918/compartments/${c.id}` }],
      timeAccepted: t,
      timeStarted: t,
      timeFinished: t,
      percentComplete: 100,
    };
    this.workRequests.set(wr.id, wr);
    this.emitCompartment("movecompartment", c, actor, { sourceCompartmentId: from, targetCompartmentId: target });
    return wr;
  }

  private emitCompartment(action: string, c: OciCompartment, actor: Actor, extra: Record<string, unknown> = {}): void {
    this.onMutation({
      service: "identity",
      action,
      resourceId: c.id,
      resourceName: c.name,
      compartmentId: c.compartmentId,
      freeformTags: c.freeformTags,
      definedTags: c.definedTags,
      additionalDetails: { lifecycleState: c.lifecycleState, eTag: c.etag, ...extra },
      actor,
    });
  }

  listCompartments(q: { compartmentId: string; subtree: boolean; accessLevel?: string; name?: string; lifecycleState?: string; sortBy?: string; sortOrder?: string }): OciCompartment[] {
    this.activeCompartment(q.compartmentId);
    if (q.accessLevel !== undefined && q.accessLevel !== "ANY" && q.accessLevel !== "ACCESSIBLE") {
      throw invalid(`Invalid accessLevel '${q.accessLevel}'; expected ANY or ACCESSIBLE.`);
    }
    if (q.subtree && !this.isRoot(q.compartmentId)) {
      throw invalid("compartmentIdInSubtree can only be true when compartmentId is the tenancy (root compartment).");
    }
    let all = q.subtree
      ? this.subtree(q.compartmentId)
      : this.childIds(q.compartmentId).map((id) => this.compartments.get(id) as OciCompartment);
    if (q.name !== undefined) all = all.filter((c) => c.name === q.name);
    if (q.lifecycleState !== undefined) all = all.filter((c) => c.lifecycleState === q.lifecycleState);
    return sortItems(all, q.sortBy, q.sortOrder, (c) => c.name);
  }

  // ---------------------------------------------------------------- policies

  private statementsIn(compartmentId: string, exceptPolicyId?: string): number {
    let n = 0;
    for (const p of this.policies.values()) {
      if (p.compartmentId === compartmentId && p.lifecycleState === "ACTIVE" && p.id !== exceptPolicyId) n += p.statements.length;
    }
    return n;
  }

  /** Largest statement count along any root-to-leaf path that passes through compartmentId. */
  private pathStatementUsage(compartmentId: string, delta: number, exceptPolicyId?: string): number {
    const perCompartment = new Map<string, number>();
    for (const p of this.policies.values()) {
      if (p.lifecycleState !== "ACTIVE" || p.id === exceptPolicyId) continue;
      perCompartment.set(p.compartmentId, (perCompartment.get(p.compartmentId) ?? 0) + p.statements.length);
    }
    perCompartment.set(compartmentId, (perCompartment.get(compartmentId) ?? 0) + delta);
    let above = 0;
    let cur = compartmentId;
    while (!this.isRoot(cur)) {
      const c = this.compartments.get(cur);
      if (!c) break;
      cur = c.compartmentId;
      above += perCompartment.get(cur) ?? 0;
    }
    const below = (id: string): number => {
      let best = 0;
      for (const ch of this.children.get(id) ?? []) best = Math.max(best, below(ch));
      return (perCompartment.get(id) ?? 0) + best;
    };
    return above + below(compartmentId);
  }

  /** Validates every statement against the grammar and the policy's compartment subtree. */
  validateStatements(statements: string[], policyCompartmentId: string): void {
    if (statements.length === 0) throw invalid("Parameter 'statements' must contain at least one statement.");
    if (statements.length > this.limits.statementsPerPolicy) {
      throw limitExceeded(
        `A policy can have at most ${this.limits.statementsPerPolicy} statements; this one has ${statements.length}.`,
      );
    }
    const policyCompartment = this.getCompartment(policyCompartmentId);
    for (const s of statements) {
      const r = parseStatement(s);
      if (!r.ok) throw invalid(`Invalid policy statement '${s}': ${r.reason}.`);
      const st = r.statement;
      if (st.effect === "deny" && !this.tenancy.denyPoliciesEnabled) {
        throw invalid(
          `Deny policies are not enabled for this tenancy; a Default Administrator must enable them before statement '${s}' can be used.`,
        );
      }
      const loc = st.location;
      if (!loc) continue;
      if (loc.kind === "tenancy") {
        if (!this.isRoot(policyCompartmentId)) {
          throw invalid(`Invalid policy statement '${s}': a policy attached to compartment '${policyCompartment.name}' cannot grant access in the tenancy.`);
        }
      } else if (loc.kind === "compartmentId") {
        const target = this.compartments.get(loc.id);
        const ok = (target?.lifecycleState === "ACTIVE" || this.isRoot(loc.id)) && this.isDescendantOrSelf(loc.id, policyCompartmentId);
        if (!ok) throw invalid(`Compartment {${loc.id}} does not exist or is not part of the policy compartment subtree (statement '${s}').`);
      } else {
        let cur: string | undefined = policyCompartmentId;
        const [first] = loc.path;
        if (loc.path.length === 1 && first !== undefined && !this.isRoot(policyCompartmentId) && first.toLowerCase() === policyCompartment.name.toLowerCase()) {
          continue;
        }
        for (const seg of loc.path) {
          cur = cur === undefined ? undefined : this.siblingNamed(cur, seg)?.id;
        }
        if (cur === undefined) {
          throw invalid(`The compartment ${loc.path.join(":")} specified in the policy statement does not exist under current compartment hierarchy (statement '${s}').`);
        }
      }
    }
  }

  /**
   * Policy names are unique across the whole tenancy, not per compartment: "The name must be unique
   * across all policies in the tenancy and cannot be changed" (CreatePolicyDetails.name,
   * oracle/oci-typescript-sdk lib/identity/lib/model/create-policy-details.ts).
   */
  private checkPolicyName(name: string): void {
    for (const p of this.policies.values()) {
      if (p.lifecycleState === "ACTIVE" && p.name.toLowerCase() === name.toLowerCase()) {
        throw conflict("PolicyAlreadyExists", `Policy '${name}' already exists`);
      }
    }
  }

  private activePolicyCount(): number {
    let n = 0;
    for (const p of this.policies.values()) if (p.lifecycleState === "ACTIVE") n++;
    return n;
  }

  private checkPathLimit(compartmentId: string, delta: number, exceptPolicyId?: string): void {
    if (delta <= 0) return;
    const usage = this.pathStatementUsage(compartmentId, delta, exceptPolicyId);
    if (usage > this.limits.statementsPerCompartmentPath) {
      throw limitExceeded(
        `You have reached the maximum number of policy statements allowed for this compartment hierarchy (Limit: ${this.limits.statementsPerCompartmentPath}, Current Usage: ${usage}).`,
      );
    }
  }

  createPolicy(body: unknown, actor: Actor, opts: { quiet?: boolean } = {}): OciPolicy {
    const o = asObject(body, "CreatePolicyDetails");
    const compartmentId = str(o, "compartmentId", { required: true }) as string;
    const name = str(o, "name", { required: true, max: 100, pattern: POLICY_NAME, patternHelp: "may contain only letters, numbers, spaces, periods, hyphens and underscores" }) as string;
    const description = str(o, "description", { required: true, max: 400 }) as string;
    const statements = strArray(o, "statements", { required: true }) as string[];
    const versionDate = str(o, "versionDate");
    const ff = freeformTags(o) ?? {};
    const dt = definedTags(o) ?? {};
    this.activeCompartment(compartmentId);
    this.guardPolicyWrite(actor, compartmentId, "CreatePolicy", statements);
    this.checkPolicyName(name);
    this.validateStatements(statements, compartmentId);
    if (this.activePolicyCount() >= this.limits.policiesPerTenancy) {
      throw limitExceeded(`The tenancy already has the maximum number of policies (${this.limits.policiesPerTenancy}).`);
    }
    this.checkPathLimit(compartmentId, statements.length);
    const p: OciPolicy = {
      id: makeOcid(this.rand, "policy"),
      compartmentId,
      name,
      statements: [...statements],
      description,
      timeCreated: this.iso(),
      lifecycleState: "ACTIVE",
      ...(versionDate !== undefined ? { versionDate } : {}),
      freeformTags: ff,
      definedTags: dt,
      etag: makeEtag(this.rand),
    };
    this.policies.set(p.id, p);
    if (!opts.quiet) this.emitPolicy("createpolicy", p, actor);
    return p;
  }

  getPolicy(id: string): OciPolicy {
    const p = this.policies.get(id);
    if (!p || p.lifecycleState === "DELETED") throw notFound();
    return p;
  }

  updatePolicy(id: string, body: unknown, ifMatch: string | undefined, actor: Actor): OciPolicy {
    const p = this.getPolicy(id);
    if (ifMatch !== undefined && ifMatch !== p.etag) throw noEtagMatch();
    const o = asObject(body, "UpdatePolicyDetails");
    const description = str(o, "description", { min: 1, max: 400 });
    const statements = strArray(o, "statements");
    const versionDate = str(o, "versionDate");
    const ff = freeformTags(o);
    const dt = definedTags(o);
    this.guardPolicyWrite(actor, p.compartmentId, "UpdatePolicy", [...p.statements, ...(statements ?? [])]);
    if (statements !== undefined) {
      this.validateStatements(statements, p.compartmentId);
      this.checkPathLimit(p.compartmentId, statements.length - p.statements.length, undefined);
    }
    if (description !== undefined) p.description = description;
    if (statements !== undefined) p.statements = [...statements];
    if (versionDate !== undefined) p.versionDate = versionDate;
    if (ff !== undefined) p.freeformTags = ff;
    if (dt !== undefined) p.definedTags = dt;
    p.etag = makeEtag(this.rand);
    this.emitPolicy("updatepolicy", p, actor);
    return p;
  }

  deletePolicy(id: string, ifMatch: string | undefined, actor: Actor): void {
    const p = this.getPolicy(id);
    this.guardPolicyWrite(actor, p.compartmentId, "DeletePolicy", p.statements);
    if (ifMatch !== undefined && ifMatch !== p.etag) throw noEtagMatch();
    p.lifecycleState = "DELETED";
    p.etag = makeEtag(this.rand);
    // OCI keeps deleted policies visible briefly; the simulator drops them so names free up at once.
    this.policies.delete(id);
    this.emitPolicy("deletepolicy", p, actor);
  }

  listPolicies(q: { compartmentId: string; name?: string; lifecycleState?: string; sortBy?: string; sortOrder?: string }): OciPolicy[] {
    this.activeCompartment(q.compartmentId);
    let all = [...this.policies.values()].filter((p) => p.compartmentId === q.compartmentId);
    if (q.name !== undefined) all = all.filter((p) => p.name === q.name);
    if (q.lifecycleState !== undefined) all = all.filter((p) => p.lifecycleState === q.lifecycleState);
    return sortItems(all, q.sortBy, q.sortOrder, (p) => p.name);
  }

  private emitPolicy(action: string, p: OciPolicy, actor: Actor): void {
    this.onMutation({
      service: "identity",
      action,
      resourceId: p.id,
      resourceName: p.name,
      compartmentId: p.compartmentId,
      freeformTags: p.freeformTags,
      definedTags: p.definedTags,
      additionalDetails: { lifecycleState: p.lifecycleState, eTag: p.etag, statements: p.statements },
      actor,
    });
  }

  /**
   * Enables (or, for tests only, disables: OCI cannot) IAM deny policies. Enabling with `guard` (the
   * Console's default answer) also creates the root policy that keeps deny statements to the enabler
   * and the Administrators group; `alsoExempt` adds principals to it, as a customer's edit would.
   */
  setDenyPoliciesEnabled(enabled: boolean, actor: Actor, opts: { guard?: boolean; alsoExempt?: string[]; quiet?: boolean } = {}): void {
    const wasEnabled = this.tenancy.denyPoliciesEnabled;
    this.tenancy.denyPoliciesEnabled = enabled;
    const hasGuard = [...this.policies.values()].some((p) => p.compartmentId === this.tenancy.id && p.name === DENY_GUARD_POLICY_NAME);
    if (enabled && !wasEnabled && opts.guard !== false && !hasGuard) {
      this.createPolicy(
        {
          compartmentId: this.tenancy.id,
          name: DENY_GUARD_POLICY_NAME,
          description: "Only the administrator who enabled IAM deny policies and the Administrators group may write deny statements.",
          statements: [denyGuardStatement(actor.principalId, opts.alsoExempt)],
        },
        actor,
        { quiet: opts.quiet },
      );
    }
    if (opts.quiet) return;
    this.onMutation({
      service: "identity",
      action: "updatetenancy",
      resourceId: this.tenancy.id,
      resourceName: this.tenancy.name,
      compartmentId: this.tenancy.id,
      freeformTags: this.tenancy.freeformTags,
      definedTags: this.tenancy.definedTags,
      additionalDetails: { denyPoliciesEnabled: enabled },
      actor,
    });
  }

  // ---------------------------------------------------------------- Cloud Guard: recipes

  private checkPolicyIds(ids: string[]): void {
    for (const id of ids) {
      if (!SECURITY_ZONE_POLICIES.some((p) => p.id === id)) throw invalid(`Security policy ${id} does not exist.`);
    }
    if (new Set(ids).size !== ids.length) throw invalid("Parameter 'securityPolicies' contains duplicates.");
  }

  createRecipe(body: unknown, actor: Actor): OciSecurityRecipe {
    const o = asObject(body, "CreateSecurityRecipeDetails");
    const displayName = str(o, "displayName", { required: true, max: 255 }) as string;
    const description = str(o, "description", { max: 400 }) ?? "";
    const securityPolicies = strArray(o, "securityPolicies", { required: true, maxItems: 200 }) as string[];
    const compartmentId = str(o, "compartmentId", { required: true }) as string;
    const ff = freeformTags(o) ?? {};
    const dt = definedTags(o) ?? {};
    this.activeCompartment(compartmentId);
    this.checkPolicyIds(securityPolicies);
    const customer = [...this.recipes.values()].filter((r) => r.owner === "CUSTOMER" && r.lifecycleState === "ACTIVE");
    if (customer.length >= this.limits.securityRecipesPerTenancy) {
      throw limitExceeded(`The tenancy already has the maximum number of security zone recipes (${this.limits.securityRecipesPerTenancy}).`);
    }
    const t = this.iso();
    const r: OciSecurityRecipe = {
      id: makeOcid(this.rand, "securityzonessecurityrecipe"),
      displayName,
      description,
      compartmentId,
      owner: "CUSTOMER",
      securityPolicies: [...securityPolicies],
      timeCreated: t,
      timeUpdated: t,
      lifecycleState: "ACTIVE",
      freeformTags: ff,
      definedTags: dt,
      etag: makeEtag(this.rand),
    };
    this.recipes.set(r.id, r);
    this.emitRecipe("createsecurityrecipe", r, actor);
    return r;
  }

  getRecipe(id: string): OciSecurityRecipe {
    const r = this.recipes.get(id);
    if (!r || r.lifecycleState === "DELETED") throw notFound();
    return r;
  }

  updateRecipe(id: string, body: unknown, ifMatch: string | undefined, actor: Actor): OciSecurityRecipe {
    const r = this.getRecipe(id);
    if (ifMatch !== undefined && ifMatch !== r.etag) throw noEtagMatch();
    if (r.owner === "ORACLE") throw invalid("Oracle-managed security zone recipes cannot be modified.");
    const o = asObject(body, "UpdateSecurityRecipeDetails");
    const displayName = str(o, "displayName", { max: 255, min: 1 });
    const description = str(o, "description", { max: 400 });
    const securityPolicies = strArray(o, "securityPolicies", { maxItems: 200 });
    const ff = freeformTags(o);
    const dt = definedTags(o);
    if (securityPolicies !== undefined) this.checkPolicyIds(securityPolicies);
    if (displayName !== undefined) r.displayName = displayName;
    if (description !== undefined) r.description = description;
    if (securityPolicies !== undefined) r.securityPolicies = [...securityPolicies];
    if (ff !== undefined) r.freeformTags = ff;
    if (dt !== undefined) r.definedTags = dt;
    r.timeUpdated = this.iso();
    r.etag = makeEtag(this.rand);
    this.emitRecipe("updatesecurityrecipe", r, actor);
    return r;
  }

  deleteRecipe(id: string, ifMatch: string | undefined, actor: Actor): void {
    const r = this.getRecipe(id);
    if (ifMatch !== undefined && ifMatch !== r.etag) throw noEtagMatch();
    if (r.owner === "ORACLE") throw invalid("Oracle-managed security zone recipes cannot be deleted.");
    const user = [...this.zones.values()].find((z) => z.securityZoneRecipeId === id && z.lifecycleState === "ACTIVE");
    if (user) throw conflict("Conflict", `Security zone recipe ${id} is used by security zone '${user.displayName}' and cannot be deleted.`);
    this.recipes.delete(id);
    r.lifecycleState = "DELETED";
    this.emitRecipe("deletesecurityrecipe", r, actor);
  }

  listRecipes(q: { compartmentId: string; displayName?: string; id?: string; lifecycleState?: string; sortBy?: string; sortOrder?: string }): OciSecurityRecipe[] {
    this.activeCompartment(q.compartmentId);
    let all = [...this.recipes.values()].filter(
      (r) => r.compartmentId === q.compartmentId || (r.owner === "ORACLE" && this.isRoot(q.compartmentId)),
    );
    if (q.displayName !== undefined) all = all.filter((r) => r.displayName === q.displayName);
    if (q.id !== undefined) all = all.filter((r) => r.id === q.id);
    if (q.lifecycleState !== undefined) all = all.filter((r) => r.lifecycleState === q.lifecycleState);
    return sortItems(all, q.sortBy, q.sortOrder, (r) => r.displayName);
  }

  private emitRecipe(action: string, r: OciSecurityRecipe, actor: Actor): void {
    this.onMutation({
      service: "cloudguard",
      action,
      resourceId: r.id,
      resourceName: r.displayName,
      compartmentId: r.compartmentId,
      freeformTags: r.freeformTags,
      definedTags: r.definedTags,
      additionalDetails: { lifecycleState: r.lifecycleState, securityPolicies: r.securityPolicies },
      actor,
    });
  }

  // ---------------------------------------------------------------- Cloud Guard: zones

  zoneOfCompartment(compartmentId: string): OciSecurityZone | undefined {
    for (const z of this.zones.values()) if (z.compartmentId === compartmentId && z.lifecycleState === "ACTIVE") return z;
    return undefined;
  }

  /** Compartments below the zone's own that have no zone of their own inherit it. */
  inheritedBy(z: OciSecurityZone): string[] {
    const out: string[] = [];
    const walk = (id: string): void => {
      for (const ch of this.children.get(id) ?? []) {
        const c = this.compartments.get(ch);
        if (!c || c.lifecycleState !== "ACTIVE" || this.zoneOfCompartment(ch)) continue;
        out.push(ch);
        walk(ch);
      }
    };
    walk(z.compartmentId);
    return out;
  }

  createZone(body: unknown, actor: Actor): OciSecurityZone {
    const o = asObject(body, "CreateSecurityZoneDetails");
    const displayName = str(o, "displayName", { required: true, max: 255 }) as string;
    const description = str(o, "description", { max: 400 }) ?? "";
    const recipeId = str(o, "securityZoneRecipeId", { required: true }) as string;
    const compartmentId = str(o, "compartmentId", { required: true }) as string;
    const inherit = bool(o, "isInheritanceAfterDeleteEnabled") ?? false;
    const ff = freeformTags(o) ?? {};
    const dt = definedTags(o) ?? {};
    this.activeCompartment(compartmentId);
    this.getRecipe(recipeId);
    const existing = this.zoneOfCompartment(compartmentId);
    if (existing) {
      throw conflict("Conflict", `Compartment ${compartmentId} is already associated with security zone '${existing.displayName}'.`);
    }
    for (const z of this.zones.values()) {
      if (z.lifecycleState === "ACTIVE" && z.displayName === displayName) {
        throw conflict("Conflict", `A security zone named '${displayName}' already exists.`);
      }
    }
    if ([...this.zones.values()].filter((z) => z.lifecycleState === "ACTIVE").length >= this.limits.securityZonesPerTenancy) {
      throw limitExceeded(`The tenancy already has the maximum number of security zones (${this.limits.securityZonesPerTenancy}).`);
    }
    const t = this.iso();
    const z: OciSecurityZone = {
      id: makeOcid(this.rand, "securityzonessecurityzone"),
      displayName,
      description,
      compartmentId,
      securityZoneRecipeId: recipeId,
      securityZoneTargetId: replaceTargetsForZone(this, compartmentId, displayName).zoneTarget.id,
      timeCreated: t,
      timeUpdated: t,
      lifecycleState: "ACTIVE",
      isInheritanceAfterDeleteEnabled: inherit,
      freeformTags: ff,
      definedTags: dt,
      etag: makeEtag(this.rand),
    };
    this.zones.set(z.id, z);
    this.emitZone("createsecurityzone", z, actor);
    return z;
  }

  getZone(id: string): OciSecurityZone {
    const z = this.zones.get(id);
    if (!z || z.lifecycleState === "DELETED") throw notFound();
    return z;
  }

  updateZone(id: string, body: unknown, ifMatch: string | undefined, actor: Actor): OciSecurityZone {
    const z = this.getZone(id);
    if (ifMatch !== undefined && ifMatch !== z.etag) throw noEtagMatch();
    const o = asObject(body, "UpdateSecurityZoneDetails");
    const displayName = str(o, "displayName", { max: 255, min: 1 });
    const description = str(o, "description", { max: 400 });
    const recipeId = str(o, "securityZoneRecipeId");
    const inherit = bool(o, "isInheritanceAfterDeleteEnabled");
    const ff = freeformTags(o);
    const dt = definedTags(o);
    if (recipeId !== undefined) this.getRecipe(recipeId);
    if (displayName !== undefined && displayName !== z.displayName) {
      for (const other of this.zones.values()) {
        if (other.lifecycleState === "ACTIVE" && other.displayName === displayName) {
          throw conflict("Conflict", `A security zone named '${displayName}' already exists.`);
        }
      }
      z.displayName = displayName;
    }
    if (description !== undefined) z.description = description;
    if (recipeId !== undefined) z.securityZoneRecipeId = recipeId;
    if (inherit !== undefined) z.isInheritanceAfterDeleteEnabled = inherit;
    if (ff !== undefined) z.freeformTags = ff;
    if (dt !== undefined) z.definedTags = dt;
    z.timeUpdated = this.iso();
    z.etag = makeEtag(this.rand);
    this.emitZone("updatesecurityzone", z, actor);
    return z;
  }

  deleteZone(id: string, ifMatch: string | undefined, actor: Actor): void {
    const z = this.getZone(id);
    if (ifMatch !== undefined && ifMatch !== z.etag) throw noEtagMatch();
    this.targets.delete(z.securityZoneTargetId);
    this.zones.delete(id);
    z.lifecycleState = "DELETED";
    this.emitZone("deletesecurityzone", z, actor);
  }

  listZones(q: { compartmentId: string; displayName?: string; id?: string; securityRecipeId?: string; inSubtree?: boolean; lifecycleState?: string; sortBy?: string; sortOrder?: string }): OciSecurityZone[] {
    this.activeCompartment(q.compartmentId);
    let all = [...this.zones.values()].filter((z) =>
      q.inSubtree ? this.isDescendantOrSelf(z.compartmentId, q.compartmentId) : z.compartmentId === q.compartmentId,
    );
    if (q.displayName !== undefined) all = all.filter((z) => z.displayName === q.displayName);
    if (q.id !== undefined) all = all.filter((z) => z.id === q.id);
    if (q.securityRecipeId !== undefined) all = all.filter((z) => z.securityZoneRecipeId === q.securityRecipeId);
    if (q.lifecycleState !== undefined) all = all.filter((z) => z.lifecycleState === q.lifecycleState);
    return sortItems(all, q.sortBy, q.sortOrder, (z) => z.displayName);
  }

  private emitZone(action: string, z: OciSecurityZone, actor: Actor): void {
    this.onMutation({
      service: "cloudguard",
      action,
      resourceId: z.id,
      resourceName: z.displayName,
      compartmentId: z.compartmentId,
      freeformTags: z.freeformTags,
      definedTags: z.definedTags,
      additionalDetails: { lifecycleState: z.lifecycleState, securityZoneRecipeId: z.securityZoneRecipeId },
      actor,
    });
  }

  // ---------------------------------------------------------------- summary

  summary(): Record<string, unknown> {
    const count = <T extends { lifecycleState: string }>(m: Map<string, T>): number =>
      [...m.values()].filter((x) => x.lifecycleState === "ACTIVE").length;
    return {
      tenancyId: this.tenancy.id,
      tenancyName: this.tenancy.name,
      denyPoliciesEnabled: this.tenancy.denyPoliciesEnabled,
      compartments: count(this.compartments),
      maxDepth: Math.max(0, ...[...this.compartments.values()].map((c) => this.depthOf(c.id))),
      policies: count(this.policies),
      statements: [...this.policies.values()].reduce((n, p) => n + p.statements.length, 0),
      securityRecipes: count(this.recipes),
      securityZones: count(this.zones),
      users: this.users.size,
      limits: this.limits,
    };
  }
}

/** OCI sort semantics: NAME sorts ascending by default, TIMECREATED descending; unsorted keeps creation order. */
export function sortItems<T extends { timeCreated: string }>(items: T[], sortBy: string | undefined, sortOrder: string | undefined, name: (t: T) => string): T[] {
  if (sortOrder !== undefined && sortOrder !== "ASC" && sortOrder !== "DESC") throw invalid(`Invalid sortOrder '${sortOrder}'; expected ASC or DESC.`);
  if (sortBy === undefined) {
    return sortOrder === "DESC" ? [...items].reverse() : items;
  }
  const by = sortBy.toUpperCase();
  if (by !== "NAME" && by !== "TIMECREATED" && by !== "DISPLAYNAME") throw invalid(`Invalid sortBy '${sortBy}'.`);
  const dir = (sortOrder ?? (by === "TIMECREATED" ? "DESC" : "ASC")) === "ASC" ? 1 : -1;
  const key = by === "TIMECREATED" ? (t: T): string => t.timeCreated : (t: T): string => name(t).toLowerCase();
  return [...items].sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : 0));
}

export type { Json };
