import { OciSecurityZones } from "./store-security-zones.ts";
import type { TargetHost } from "./targets.ts";

export { paginate, type Actor, type Mutation } from "./store-common.ts";

/**
 * The OCI tenancy as the simulator holds it: IAM compartments and policies, Cloud Guard recipes and
 * zones, users with API keys and permissions. Every method enforces the service's own validation,
 * limits and error codes; the HTTP layer and the admin API both call these.
 *
 * It is built in layers, each in its own file: store-tenancy.ts (state, persistence, users and keys),
 * store-compartments.ts, store-policies.ts (including deny policies), store-security-zones.ts
 * (recipes and zones); shared types and helpers are in store-common.ts.
 */
export class OciStore extends OciSecurityZones implements TargetHost {
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
