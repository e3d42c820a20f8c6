import { checkPolicyWrite, DENY_GUARD_POLICY_NAME, denyGuardStatement } from "./deny-guard.ts";
import { conflict, invalid, limitExceeded, noEtagMatch, notFound } from "./errors.ts";
import { makeEtag, makeOcid } from "./ids.ts";
import type { OciPolicy } from "./model.ts";
import { parseStatement } from "./statements.ts";
import { sortItems, type Actor } from "./store-common.ts";
import { OciCompartments } from "./store-compartments.ts";
import { asObject, definedTags, freeformTags, str, strArray } from "./validate.ts";

const POLICY_NAME = /^[A-Za-z0-9._ -]+$/;

/** IAM policies: statement validation, name and statement limits, deny policies and their guard. */
export class OciPolicies extends OciCompartments {
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
      throw limitExceeded(`A policy can have at most ${this.limits.statementsPerPolicy} statements; this one has ${statements.length}.`);
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
          throw invalid(
            `Invalid policy statement '${s}': a policy attached to compartment '${policyCompartment.name}' cannot grant access in the tenancy.`,
          );
        }
      } else if (loc.kind === "compartmentId") {
        const target = this.compartments.get(loc.id);
        const ok = (target?.lifecycleState === "ACTIVE" || this.isRoot(loc.id)) && this.isDescendantOrSelf(loc.id, policyCompartmentId);
        if (!ok)
          throw invalid(`Compartment {${loc.id}} does not exist or is not part of the policy compartment subtree (statement '${s}').`);
      } else {
        let cur: string | undefined = policyCompartmentId;
        const [first] = loc.path;
        if (
          loc.path.length === 1 &&
          first !== undefined &&
          !this.isRoot(policyCompartmentId) &&
          first.toLowerCase() === policyCompartment.name.toLowerCase()
        ) {
          continue;
        }
        for (const seg of loc.path) {
          cur = cur === undefined ? undefined : this.siblingNamed(cur, seg)?.id;
        }
        if (cur === undefined) {
          throw invalid(
            `The compartment ${loc.path.join(":")} specified in the policy statement does not exist under current compartment hierarchy (statement '${s}').`,
          );
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
    const name = str(o, "name", {
      required: true,
      max: 100,
      pattern: POLICY_NAME,
      patternHelp: "may contain only letters, numbers, spaces, periods, hyphens and underscores",
    }) as string;
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
}
