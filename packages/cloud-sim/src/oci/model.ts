/** Persisted shapes of the OCI simulator's state (what the wire returns, plus etags and internals). */

export type Tags = Record<string, string>;
export type DefinedTags = Record<string, Record<string, unknown>>;
type LifecycleState = "CREATING" | "ACTIVE" | "INACTIVE" | "DELETING" | "DELETED" | "UPDATING" | "FAILED";

export interface OciTenancy {
  id: string;
  name: string;
  description: string;
  homeRegionKey: string;
  freeformTags: Tags;
  definedTags: DefinedTags;
  /** IAM deny policies are opt-in per tenancy (enabled by a Default Administrator in the console). */
  denyPoliciesEnabled: boolean;
}

export interface OciCompartment {
  id: string;
  compartmentId: string;
  name: string;
  description: string;
  timeCreated: string;
  lifecycleState: LifecycleState;
  freeformTags: Tags;
  definedTags: DefinedTags;
  etag: string;
}

export interface OciPolicy {
  id: string;
  compartmentId: string;
  name: string;
  statements: string[];
  description: string;
  timeCreated: string;
  lifecycleState: LifecycleState;
  versionDate?: string;
  freeformTags: Tags;
  definedTags: DefinedTags;
  etag: string;
}

export interface OciSecurityPolicy {
  id: string;
  friendlyName: string;
  displayName: string;
  description: string;
  category: string;
  services: string[];
}

export interface OciSecurityRecipe {
  id: string;
  displayName: string;
  description: string;
  compartmentId: string;
  owner: "CUSTOMER" | "ORACLE";
  securityPolicies: string[];
  timeCreated: string;
  timeUpdated: string;
  lifecycleState: LifecycleState;
  freeformTags: Tags;
  definedTags: DefinedTags;
  etag: string;
}

export interface OciSecurityZone {
  id: string;
  displayName: string;
  description: string;
  compartmentId: string;
  securityZoneRecipeId: string;
  securityZoneTargetId: string;
  timeCreated: string;
  timeUpdated: string;
  lifecycleState: LifecycleState;
  isInheritanceAfterDeleteEnabled: boolean;
  freeformTags: Tags;
  definedTags: DefinedTags;
  etag: string;
}

/**
 * A Cloud Guard target: what Cloud Guard monitors. `COMPARTMENT` targets are the customer's own;
 * `SECURITY_ZONE` targets are created by Cloud Guard for each security zone.
 */
export interface OciCloudGuardTarget {
  id: string;
  displayName: string;
  compartmentId: string;
  targetResourceType: "COMPARTMENT" | "SECURITY_ZONE";
  targetResourceId: string;
  timeCreated: string;
  lifecycleState: LifecycleState;
  freeformTags: Tags;
  definedTags: DefinedTags;
  etag: string;
}

interface OciApiKey {
  fingerprint: string;
  publicKeyPem: string;
}

/** An IAM group of the default identity domain (the simulator has no other domains). */
export interface OciGroup {
  id: string;
  name: string;
}

export interface OciUser {
  id: string;
  name: string;
  /** Groups the user is a member of (request.groups.id). */
  groupIds?: string[];
  /** Operation names this user may call ("*" = all). Anything else answers 404 NotAuthorizedOrNotFound. */
  permissions: string[];
  apiKeys: OciApiKey[];
}

export interface OciWorkRequest {
  id: string;
  operationType: string;
  compartmentId: string;
  status: "ACCEPTED" | "IN_PROGRESS" | "FAILED" | "SUCCEEDED";
  resources: Array<{ identifier: string; entityType: string; actionType: string; entityUri?: string }>;
  timeAccepted: string;
  timeStarted: string;
  timeFinished: string;
  percentComplete: number;
}

export interface OciLimits {
  /** IAM: statements in one policy. */
  statementsPerPolicy: number;
  /** IAM: policies in a tenancy. */
  policiesPerTenancy: number;
  /** IAM: statements along any root-to-leaf compartment path (hard limit). */
  statementsPerCompartmentPath: number;
  /** IAM: compartments in a tenancy (created through the API; seeding may exceed it). */
  compartmentsPerTenancy: number;
  /** IAM: compartment nesting below the root. */
  compartmentDepth: number;
  /** Cloud Guard: security zone recipes per tenancy. */
  securityRecipesPerTenancy: number;
  /** Cloud Guard: security zones per tenancy. */
  securityZonesPerTenancy: number;
}

export const DEFAULT_LIMITS: OciLimits = {
  statementsPerPolicy: 50,
  policiesPerTenancy: 100,
  statementsPerCompartmentPath: 500,
  compartmentsPerTenancy: 1000,
  compartmentDepth: 6,
  securityRecipesPerTenancy: 100,
  securityZonesPerTenancy: 100,
};

export interface OciStateData {
  tenancy: OciTenancy;
  compartments: OciCompartment[];
  policies: OciPolicy[];
  recipes: OciSecurityRecipe[];
  zones: OciSecurityZone[];
  users: OciUser[];
  /** Absent in state saved before groups were modelled. */
  groups?: OciGroup[];
  /** Cloud Guard targets; absent in state saved before targets were modelled. */
  targets?: OciCloudGuardTarget[];
  workRequests: OciWorkRequest[];
  /** Demo connection credentials (a simulator-only key pair), kept so a restarted demo can reconnect. */
  demo?: unknown;
}
