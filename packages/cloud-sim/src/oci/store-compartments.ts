import { CATALOG_TIME } from "./catalog.ts";
import { conflict, invalid, limitExceeded, noEtagMatch, notFound } from "./errors.ts";
import { makeEtag, makeOcid } from "./ids.ts";
import { randomString } from "../common/rng.ts";
import type { OciCompartment, OciPolicy, OciWorkRequest } from "./model.ts";
import { sortItems, type Actor } from "./store-common.ts";
import { OciTenancyState } from "./store-tenancy.ts";
import type { StatementLocation } from "./statements.ts";
import { asObject, definedTags, freeformTags, str } from "./validate.ts";

const COMPARTMENT_NAME = /^[A-Za-z0-9._-]+$/;

/** IAM compartments: the tree under the tenancy (root compartment), its limits and operations. */
export class OciCompartments extends OciTenancyState {
  /** Whether a statement location in policy `owner` includes compartment `target`. */
  locationCovers(owner: OciPolicy, loc: StatementLocation, target: string): boolean {
    if (loc.kind === "tenancy") return true;
    if (loc.kind === "compartmentId") return this.isDescendantOrSelf(target, loc.id);
    const ownerCompartment = this.getCompartment(owner.compartmentId);
    const [first] = loc.path;
    if (
      loc.path.length === 1 &&
      first !== undefined &&
      !this.isRoot(owner.compartmentId) &&
      first.toLowerCase() === ownerCompartment.name.toLowerCase()
    ) {
      return this.isDescendantOrSelf(target, owner.compartmentId);
    }
    let cur: string | undefined = owner.compartmentId;
    for (const seg of loc.path) cur = cur === undefined ? undefined : this.siblingNamed(cur, seg)?.id;
    return cur !== undefined && this.isDescendantOrSelf(target, cur);
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

  protected siblingNamed(parentId: string, name: string, exceptId?: string): OciCompartment | undefined {
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
    const name = str(o, "name", {
      required: true,
      max: 100,
      pattern: COMPARTMENT_NAME,
      patternHelp: "may contain only letters, numbers, periods, hyphens and underscores",
    }) as string;
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
    const name = str(o, "name", {
      max: 100,
      pattern: COMPARTMENT_NAME,
      patternHelp: "may contain only letters, numbers, periods, hyphens and underscores",
    });
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
    const wr = this.finishedWorkRequest("MOVE_COMPARTMENT", target, "SUCCEEDED", c.id, "RELATED");
    this.emitCompartment("movecompartment", c, actor, { sourceCompartmentId: from, targetCompartmentId: target });
    return wr;
  }

  /** A work request the sim finishes at once (Identity's MoveCompartment / DeleteCompartment answer with one). */
  private finishedWorkRequest(
    operationType: string,
    compartmentId: string,
    status: "SUCCEEDED" | "FAILED",
    resourceId: string,
    actionType: string,
  ): OciWorkRequest {
    const t = this.iso();
    const wr: OciWorkRequest = {
      id: makeOcid(this.rand, "workrequest"),
      operationType,
      compartmentId,
      status,
      resources: [{ identifier: resourceId, entityType: "compartment", actionType, entityUri: `/20160918/compartments/${resourceId}` }],
      timeAccepted: t,
      timeStarted: t,
      timeFinished: t,
      percentComplete: 100,
    };
    this.workRequests.set(wr.id, wr);
    return wr;
  }

  /**
   * DeleteCompartment (`DELETE /20160918/compartments/{compartmentId}`: 202 with `opc-work-request-id`;
   * https://docs.oracle.com/iaas/api/#/en/identity/20160918/Compartment/DeleteCompartment). The work request
   * fails, and the compartment stays ACTIVE, unless it is empty — no ACTIVE child compartment, policy,
   * security zone (https://docs.oracle.com/iaas/Content/Identity/compartments/To_delete_a_compartment.htm).
   * A deleted compartment stays readable (GetCompartment, ListCompartments) as DELETED with a random
   * suffix on its name, so the name can be reused; the sim completes the work request at once.
   */
  deleteCompartment(id: string, ifMatch: string | undefined, actor: Actor): OciWorkRequest {
    if (this.isRoot(id)) throw invalid("The root compartment cannot be deleted.");
    const c = this.activeCompartment(id);
    if (ifMatch !== undefined && ifMatch !== c.etag) throw noEtagMatch();
    const live = (x: { compartmentId: string; lifecycleState?: string }) => x.compartmentId === id && x.lifecycleState === "ACTIVE";
    const empty =
      !this.childIds(id).some((ch) => this.compartments.get(ch)?.lifecycleState === "ACTIVE") &&
      ![...this.policies.values()].some(live) &&
      ![...this.zones.values()].some(live);
    const wr = this.finishedWorkRequest("DELETE_COMPARTMENT", c.compartmentId, empty ? "SUCCEEDED" : "FAILED", c.id, "DELETED");
    if (!empty) return wr;
    c.lifecycleState = "DELETED";
    c.name = `${c.name}.${randomString(this.rand, 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}`;
    c.etag = makeEtag(this.rand);
    this.emitCompartment("deletecompartment", c, actor);
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

  listCompartments(q: {
    compartmentId: string;
    subtree: boolean;
    accessLevel?: string;
    name?: string;
    lifecycleState?: string;
    sortBy?: string;
    sortOrder?: string;
  }): OciCompartment[] {
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
}
