import type { FaultConfig, RunningSim, SimOptions, ThrottleRule } from "../common/types.ts";
import type { ServiceAccountKeyFile } from "./auth.ts";
import type { GcpCore } from "./core.ts";
import type { GcpLimits, GcpStateSnapshot } from "./model.ts";
import type { Json } from "./wire.ts";

/** Default quotas per call family (Org Policy ~ 10 writes/s and 50 reads/s; CRM and IAM lower for writes). */
export const GCP_DEFAULT_THROTTLE: Record<string, ThrottleRule> = {
  "orgpolicy.read": { burst: 50, ratePerSec: 50 },
  "orgpolicy.write": { burst: 10, ratePerSec: 10 },
  "crm.read": { burst: 50, ratePerSec: 25 },
  "crm.write": { burst: 10, ratePerSec: 5 },
  "iam.read": { burst: 40, ratePerSec: 20 },
  "iam.write": { burst: 10, ratePerSec: 5 },
};

export interface GcpSimOptions extends SimOptions {
  orgId?: string;
  domain?: string;
  limits?: Partial<GcpLimits>;
  /** How many GetOperation polls an operation stays pending (0 = done in the first response). */
  lroPolls?: number;
  /** Pub/Sub subscription name put in push envelopes. */
  subscription?: string;
}

export interface GcpSimConfig {
  throttle?: Record<string, ThrottleRule> | false;
  faults?: FaultConfig;
  limits?: Partial<GcpLimits>;
  webhook?: { url: string; secret?: string } | null;
  /** Shorthand for limits.defaultPageSize. */
  pageSize?: number;
  lroPolls?: number;
}

interface RegisterServiceAccount {
  email: string;
  permissions: string[];
  tokens?: string[];
  /** PEM public key to register under `keyId`. */
  publicKeyPem?: string;
  keyId?: string;
  /** Generate a key pair and return a key file whose token_uri points at this simulator. */
  generateKey?: boolean;
}

interface GcpSummary {
  orgId: string;
  domain: string;
  folders: number;
  projects: number;
  orgPolicies: number;
  customConstraints: number;
  denyPolicies: number;
  serviceAccounts: string[];
  pendingOperations: number;
  events: { delivered: number; dropped: number };
}

export interface GcpSim extends RunningSim {
  cloud: "gcp";
  /** Current organization id (e.g. 123456789012 after seedGcpDemo). */
  readonly orgId: string;
  readonly core: GcpCore;
  summary(): GcpSummary;
  configure(cfg: GcpSimConfig): void;
  /** Replaces all state with an empty organization (service accounts are dropped too). */
  reset(opts?: { orgId?: string; domain?: string }): void;
  registerServiceAccount(sa: RegisterServiceAccount): ServiceAccountKeyFile | undefined;
  /** Out-of-band changes, made "as a human" (audit events carry `actor`). */
  putOrgPolicy(name: string, policy: { spec?: Json; dryRunSpec?: Json }, actor?: string): Json;
  deleteOrgPolicy(name: string, actor?: string): void;
  setOrgPolicyDryRunOnly(name: string, actor?: string): Json;
  putDenyPolicy(name: string, policy: Json, actor?: string): Json;
  deleteDenyPolicy(name: string, actor?: string): void;
  createFolder(parent: string, displayName: string, actor?: string): Json;
  createProject(input: { parent: string; projectId: string; displayName?: string; labels?: Record<string, string> }, actor?: string): Json;
  moveProject(project: string, destinationParent: string, actor?: string): Json;
  setProjectLabels(project: string, labels: Record<string, string>, actor?: string): Json;
  snapshot(): GcpStateSnapshot;
  /** Waits until every emitted webhook event was delivered or dropped. */
  flushEvents(): Promise<void>;
}

export const HUMAN = "cloud-admin@example.com";
