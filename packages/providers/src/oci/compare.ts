import { z } from "zod";
import type { DesiredArtifact, Difference, ObservedArtifact } from "../contract/types.ts";
import { OCI_NAME_PREFIX, OCI_OWNER_TAG_KEY, ociOwnerTags } from "./markers.ts";
import type { TOciIamPolicy } from "./types.ts";

/**
 * Normalisation and field-by-field comparison of OCI artifacts. Observed bodies are reduced to the
 * shape core's desired-state builder produces, so the only differences left are ones a person made.
 */

/** Body of an `oci.security-zone` artifact as core builds it (see core reconcile/desired-state.ts). */
export interface TOciSecurityZoneArtifact {
  displayName: string;
  /** The compartment the zone covers; Parapet's recipe for the zone lives there too. */
  compartmentId: string;
  /** Friendly names of Oracle's security zone policies, e.g. `deny public_buckets`. */
  securityPolicyNames: string[];
  workspaceId: string;
}

export const ZOciPolicyArtifact = z.object({
  name: z.string().min(1).max(100),
  description: z.string().min(1).max(400),
  compartmentId: z.string().min(1).max(255),
  statements: z.array(z.string().min(1).max(4096)).min(1).max(200),
  freeformTags: z.record(z.string().max(100), z.string().max(256)).default({}),
});

export const ZOciSecurityZoneArtifact = z.object({
  displayName: z.string().min(1).max(255),
  compartmentId: z.string().min(1).max(255),
  securityPolicyNames: z.array(z.string().min(1).max(255)).min(1).max(200),
  workspaceId: z.string().min(1).max(255),
});

/** Whitespace inside a statement carries no meaning to OCI's policy parser; it must not show as drift. */
export function normaliseStatement(s: string): string {
  return s.trim().replace(/\s+/g, " ");
}

/** `deny public_buckets`, `Deny public buckets`, `public_buckets` all name the same security zone policy. */
export function securityPolicyKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^deny[ _]+/, "")
    .replace(/[\s-]+/g, "_");
}

/**
 * Only Parapet's own tags take part in comparison: customers and tag defaults add freeform tags of
 * their own, which are neither drift nor something Parapet should remove.
 */
export function parapetTags(tags: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) if (k.startsWith(OCI_NAME_PREFIX)) out[k] = v;
  return out;
}

/** An OCI Policy as the API returns it, reduced to the desired shape. */
export function policyBodyFromCloud(p: {
  name: string;
  description?: string | null;
  compartmentId: string;
  statements: string[];
  freeformTags?: Record<string, string> | null;
}): TOciIamPolicy {
  return {
    name: p.name,
    description: p.description ?? "",
    compartmentId: p.compartmentId,
    statements: [...p.statements],
    freeformTags: parapetTags(p.freeformTags),
  };
}

/** A security zone recipe reduced to the artifact shape; unknown policy ids stay as ids so they show as drift. */
export function zoneBodyFromCloud(
  recipe: { displayName?: string | null; compartmentId: string; securityPolicies: string[]; freeformTags?: Record<string, string> | null },
  friendlyNameById: ReadonlyMap<string, string>,
): TOciSecurityZoneArtifact {
  return {
    displayName: recipe.displayName ?? "",
    compartmentId: recipe.compartmentId,
    securityPolicyNames: recipe.securityPolicies.map((id) => friendlyNameById.get(id) ?? id).sort(),
    workspaceId: recipe.freeformTags?.[OCI_OWNER_TAG_KEY] ?? "",
  };
}

function listSome(items: string[]): string {
  const shown = items.slice(0, 3).map((s) => `'${s}'`);
  return items.length > 3 ? `${shown.join(", ")} and ${items.length - 3} more` : shown.join(", ");
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

function result(weakened: string[], modified: string[]): Difference {
  if (weakened.length === 0 && modified.length === 0) return { equal: true };
  return { equal: false, kind: weakened.length > 0 ? "weakened" : "modified", detail: [...weakened, ...modified].join("; ") };
}

function comparePolicy(desiredBody: unknown, observedBody: unknown, workspaceId: string): Difference {
  const d = ZOciPolicyArtifact.safeParse(desiredBody);
  if (!d.success) return { equal: false, kind: "modified", detail: "the desired body is not an OCI IAM policy" };
  const o = observedBody as TOciIamPolicy;
  const want = new Set(d.data.statements.map(normaliseStatement));
  const have = new Set(o.statements.map(normaliseStatement));
  const removed = [...want].filter((s) => !have.has(s));
  const added = [...have].filter((s) => !want.has(s));
  const weakened: string[] = [];
  const modified: string[] = [];
  // A statement edited in place (e.g. a `where` clause loosened) shows up as removed + added: removing
  // one of Parapet's statements is what lowers protection, so it decides the kind.
  if (removed.length > 0) weakened.push(`statements removed or changed: ${listSome(removed)}`);
  if (added.length > 0) modified.push(`statements added: ${listSome(added)}`);
  if (o.compartmentId !== d.data.compartmentId)
    modified.push(`attached to compartment ${o.compartmentId} instead of ${d.data.compartmentId}`);
  if ((o.description ?? "") !== d.data.description) modified.push("description changed");
  const wantTags = parapetTags({ ...d.data.freeformTags, ...ociOwnerTags(workspaceId) });
  if (!sameRecord(wantTags, parapetTags(o.freeformTags))) modified.push("Parapet tags changed");
  return result(weakened, modified);
}

function compareZone(desiredBody: unknown, observedBody: unknown): Difference {
  const d = ZOciSecurityZoneArtifact.safeParse(desiredBody);
  if (!d.success) return { equal: false, kind: "modified", detail: "the desired body is not an OCI security zone" };
  const o = observedBody as TOciSecurityZoneArtifact;
  const want = new Set(d.data.securityPolicyNames.map(securityPolicyKey));
  const have = new Set(o.securityPolicyNames.map(securityPolicyKey));
  const removed = [...want].filter((s) => !have.has(s));
  const added = [...have].filter((s) => !want.has(s));
  const weakened: string[] = [];
  const modified: string[] = [];
  if (removed.length > 0) weakened.push(`security zone policies disabled in the recipe: ${listSome(removed)}`);
  if (added.length > 0) modified.push(`security zone policies added to the recipe: ${listSome(added)}`);
  if (o.displayName !== d.data.displayName) modified.push(`recipe renamed to '${o.displayName}'`);
  if (o.compartmentId !== d.data.compartmentId)
    modified.push(`recipe lives in compartment ${o.compartmentId} instead of ${d.data.compartmentId}`);
  if (o.workspaceId !== d.data.workspaceId) modified.push("ownership tag changed");
  return result(weakened, modified);
}

/** Field-by-field comparison for the OCI artifact kinds; weakening wins over other edits. */
export function compareOci(desired: DesiredArtifact, observed: ObservedArtifact, workspaceId: string): Difference {
  if (desired.kind !== observed.kind) {
    return { equal: false, kind: "modified", detail: `observed a ${observed.kind} where a ${desired.kind} was expected` };
  }
  switch (desired.kind) {
    case "oci.policy":
      return comparePolicy(desired.body, observed.body, workspaceId);
    case "oci.security-zone":
      return compareZone(desired.body, observed.body);
    default:
      return { equal: false, kind: "modified", detail: `${desired.kind} is not managed by the OCI adapter` };
  }
}
