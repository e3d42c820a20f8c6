import { invalid, notFound } from "./errors.ts";
import { makeEtag, makeOcid } from "./ids.ts";
import type { OciCloudGuardTarget } from "./model.ts";

/**
 * Cloud Guard targets and what creating a security zone does to them. "When you create a security
 * zone for a compartment, Cloud Guard … deletes any existing Cloud Guard target for the compartment
 * and its subcompartments [and] creates a security zone target for the compartment"; a zone on a
 * subcompartment of a zone gets a target of its own and the parent's is left alone
 * (docs.oracle.com/iaas/security-zone/using/create-security-zone.htm). The docs do not say what becomes
 * of the zone targets of subcompartments that are zones themselves; the simulator keeps them and
 * deletes the standard (COMPARTMENT) targets, the customer's own.
 */
export interface TargetHost {
  readonly rand: () => number;
  readonly targets: Map<string, OciCloudGuardTarget>;
  isDescendantOrSelf(id: string, ancestor: string): boolean;
  activeCompartment(id: string | undefined): { id: string; name: string };
  nowIso(): string;
}

export function addTarget(
  host: TargetHost,
  t: { compartmentId: string; displayName: string; type: OciCloudGuardTarget["targetResourceType"]; resourceId?: string },
): OciCloudGuardTarget {
  host.activeCompartment(t.compartmentId);
  if (!t.displayName || t.displayName.length > 255) throw invalid("displayName must be 1-255 characters.");
  const target: OciCloudGuardTarget = {
    id: makeOcid(host.rand, "cloudguardtarget"),
    displayName: t.displayName,
    compartmentId: t.compartmentId,
    targetResourceType: t.type,
    targetResourceId: t.resourceId ?? t.compartmentId,
    timeCreated: host.nowIso(),
    lifecycleState: "ACTIVE",
    freeformTags: {},
    definedTags: {},
    etag: makeEtag(host.rand),
  };
  host.targets.set(target.id, target);
  return target;
}

/** Cloud Guard's side effect of CreateSecurityZone; returns the deleted customer targets. */
export function replaceTargetsForZone(
  host: TargetHost,
  compartmentId: string,
  zoneName: string,
): { zoneTarget: OciCloudGuardTarget; deleted: OciCloudGuardTarget[] } {
  const deleted: OciCloudGuardTarget[] = [];
  for (const t of host.targets.values()) {
    if (t.targetResourceType === "COMPARTMENT" && host.isDescendantOrSelf(t.targetResourceId, compartmentId)) {
      host.targets.delete(t.id);
      deleted.push({ ...t, lifecycleState: "DELETED" });
    }
  }
  const zoneTarget = addTarget(host, { compartmentId, displayName: `${zoneName} target`, type: "SECURITY_ZONE" });
  return { zoneTarget, deleted };
}

export function listTargets(
  host: TargetHost,
  q: { compartmentId: string; subtree: boolean; accessLevel?: string; lifecycleState?: string; displayName?: string; nonZoneOnly: boolean },
): OciCloudGuardTarget[] {
  host.activeCompartment(q.compartmentId);
  if (q.accessLevel !== undefined && q.accessLevel !== "RESTRICTED" && q.accessLevel !== "ACCESSIBLE") {
    throw invalid(`Invalid accessLevel '${q.accessLevel}'; expected RESTRICTED or ACCESSIBLE.`);
  }
  return [...host.targets.values()].filter(
    (t) =>
      (q.subtree ? host.isDescendantOrSelf(t.compartmentId, q.compartmentId) : t.compartmentId === q.compartmentId) &&
      (q.lifecycleState === undefined || t.lifecycleState === q.lifecycleState) &&
      (q.displayName === undefined || t.displayName === q.displayName) &&
      (!q.nonZoneOnly || t.targetResourceType !== "SECURITY_ZONE"),
  );
}

export function getTarget(host: TargetHost, id: string): OciCloudGuardTarget {
  const t = host.targets.get(id);
  if (!t) throw notFound();
  return t;
}

export function targetWire(t: OciCloudGuardTarget): Record<string, unknown> {
  return {
    id: t.id,
    displayName: t.displayName,
    compartmentId: t.compartmentId,
    targetResourceType: t.targetResourceType,
    targetResourceId: t.targetResourceId,
    recipeCount: 1,
    timeCreated: t.timeCreated,
    lifecycleState: t.lifecycleState,
    freeformTags: t.freeformTags,
    definedTags: t.definedTags,
    systemTags: {},
  };
}
