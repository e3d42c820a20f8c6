/**
 * The types the reconcile phases share: what the caller passes in (deps, options), what comes back (the
 * summary), and the typed context each phase hands to the next. See `../reconcile-connection.ts` for the
 * order the phases run in.
 */
import type { PrismaClient } from "@parapet/db";
import type { CallStats, CloudAdapter, CloudId, ObserveRequest, ObservedState } from "@parapet/providers/contract";
import type { AuditInput } from "../../audit/audit.repository.ts";
import type { Keyring } from "../../connections/secrets.ts";
import type { OpenIntent } from "../apply-journal.repository.ts";
import type { computeDesiredState, DesiredState } from "../desired-state.ts";
import type { Plan, RecordedArtifact } from "../plan.ts";
import type { findConnectionById } from "../reconcile-runs.repository.ts";
import type { SkipReason } from "../skip-reason.ts";
import type { RunLease } from "./lease.ts";

export interface AdapterRequest {
  connectionId: string;
  workspaceId: string;
  cloud: CloudId;
  endpoint: string | null;
  credentials: unknown;
  facts: unknown;
  limits: unknown;
  /** Where the audit log is read for impact replay (Connection.auditSource); only replays pass it. */
  auditSource?: unknown;
}

export type AdapterFactory = (req: AdapterRequest) => CloudAdapter | Promise<CloudAdapter>;

export interface ReconcileDeps {
  prisma: PrismaClient;
  keys: Keyring;
  adapterFor: AdapterFactory;
  /** Identifies the lease holder (worker process). */
  workerId: string;
  leaseMs?: number;
  /**
   * The lease's clock; by default the database's (`now()`), shared by every worker. Tests move it on to
   * see a dead worker's lease expire without sleeping through it.
   */
  leaseClock?: () => Date;
  /**
   * A full discovery runs at most this often without being asked (default 24 h); between sweeps, cloud
   * events update the hierarchy by targeted reads. "Discover now" and a first discovery always sweep.
   */
  fullDiscoveryIntervalSec?: number;
  /** Operator log: the cloud's raw error text goes here, never into what users read. */
  log?: (line: string) => void;
  /**
   * Called as each phase starts (`discover`, `load`, …, `record-coverage`, `done`): the memory benchmark
   * samples the process per phase with it. Must not throw.
   */
  onPhase?: (phase: ReconcilePhase) => void;
}

export type ReconcilePhase =
  | "discover"
  | "sync-hierarchy"
  | "load"
  | "observe"
  | "settle"
  | "plan"
  | "apply"
  | "observe-after"
  | "adopt"
  | "record-artifacts"
  | "record-drift"
  | "record-coverage"
  | "record-uncovered"
  | "record-audit"
  | "done";

type ReconcileTrigger = "poll" | "event" | "manual" | "guardrail-change" | "discovery" | "approval";

export interface ReconcileOptions {
  trigger: ReconcileTrigger;
  /**
   * Re-read the whole hierarchy first (always done when the connection was never discovered, and when the
   * last full sweep is older than `fullDiscoveryIntervalSec`); otherwise only nodes events named are read.
   */
  discover?: boolean;
  /** Compute and return the plan without applying or recording anything. */
  dryRun?: boolean;
  /** Why (e.g. the cloud event or guardrail version), kept in the audit trail. */
  reason?: string;
  /** A person asked for drift to be put back: repair it even for guardrails set to notify. */
  repair?: boolean;
}

export interface ReconcileSummary {
  connectionId: string;
  status: "succeeded" | "failed" | "partial" | "skipped";
  /** Set with status `skipped`: decide on this. */
  skip?: SkipReason;
  /** `skipReasonText(skip)`, for people and logs. */
  skippedReason?: string;
  runId?: string;
  plan?: Plan;
  problems: DesiredState["problems"];
  applied: number;
  failed: number;
  driftOpened: number;
  driftResolved: number;
  calls: CallStats;
  error?: string;
  /** The run stopped because its lease lapsed (status `failed`): the request is not done; run it again. */
  leaseLost?: true;
}

export const EMPTY_CALLS: CallStats = { reads: 0, writes: 0, throttled: 0, errors: 0, byOperation: {} };

/** A connection row that passed `connectionSkip`: it has credentials. */
export type ReconcilableConnection = NonNullable<Awaited<ReturnType<typeof findConnectionById>>> & { credentialCiphertext: string };

/** The audit actor every event of a reconcile is written as. */
export type SystemActor = Pick<AuditInput, "workspaceId" | "actorType" | "actorId" | "actorLabel"> & { actorType: "system" };

/** What every phase after `connect` reads. Built once per run; phases never replace it. */
export interface RunContext {
  readonly deps: ReconcileDeps;
  readonly opts: ReconcileOptions;
  readonly connectionId: string;
  readonly conn: ReconcilableConnection;
  readonly adapter: CloudAdapter;
  readonly system: SystemActor;
  /** Audit events collected on the way (discovery) and appended in bounded batches by the record phase. */
  readonly audit: AuditInput[];
  /** The connection's lease: `assertHeld()` before each write (throws LeaseLostError once it lapsed). */
  readonly lease: Pick<RunLease, "assertHeld">;
}

/** The reconcile run row of a live (not dry) run. */
export interface RunRow {
  id: string;
  /** For the "reconcile failed" alert of a run that threw. */
  workspaceId?: string;
}

export interface LoadedDesired {
  input: Parameters<typeof computeDesiredState>[0];
  state: DesiredState;
  remediation: Map<string, "auto" | "notify">;
  nodeIdByExternal: Map<string, string>;
  environments: string[];
}

/** Output of the load phase. */
export interface Loaded {
  desired: LoadedDesired;
  /** Changes earlier runs sent without recording their outcome (empty on a dry run). */
  openIntents: OpenIntent[];
  /** Parapet's record of what it applied (the drift baseline). */
  recorded: RecordedArtifact[];
}

/** Output of the observe phase. */
export interface Observation {
  /** What was asked of the cloud: recorded, in-flight and desired artifacts. */
  expected: ObserveRequest["expected"];
  targets: string[];
  observed: ObservedState;
}

/** Output of the plan phase: the plan and the desired state it was made from (repacked on AWS). */
export interface Planned {
  plan: Plan;
  state: DesiredState;
}

/** Output of the apply phase. */
export interface Applied {
  applied: number;
  failed: number;
  /** The first failure that stopped protection (users read it on the run and the connection). */
  applyError?: string;
  /** Owned artifacts' ids, including those this run created. */
  externalIds: Map<string, string>;
  /** Cleanups the cloud refused because it shares the artifact with the customer: a person's job. */
  problems: DesiredState["problems"];
}
