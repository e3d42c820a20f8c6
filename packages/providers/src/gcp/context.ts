import { invalid, notOwned as refuse } from "../common/ownership.ts";
import { sleep } from "../common/sleep.ts";
import type { ProviderError, ProviderErrorKind } from "../contract/errors.ts";
import { CallRecorder } from "../contract/instrumentation.ts";
import { DEFAULT_RETRY, retryOnly, type RetryPolicy } from "../contract/retry.ts";
import type { ArtifactKind } from "../contract/types.ts";
import { EgressGuard } from "../egress/guard.ts";
import { createGcpClients, type GcpClients } from "./clients.ts";
import { type TGcpCredentials, type TGcpFacts, ZGcpCredentials, ZGcpFacts } from "./credentials.ts";
import { classifyGcpError, gcpStatus, isGcpThrottle } from "./errors.ts";
import { isOwnedCustomConstraint } from "./markers.ts";
import type { TGcpDenyPolicy, TGcpOrgPolicy } from "./types.ts";

/**
 * What every GCP capability shares for one connection: the parsed settings, the three API clients
 * and the recorded, classified call (see adapter.ts for ownership and retries).
 */

export interface GcpAdapterConfig {
  workspaceId: string;
  /** Endpoint override for all three APIs, e.g. `http://127.0.0.1:4010` (the simulator). */
  endpoint?: string;
  credentials: TGcpCredentials;
  facts: TGcpFacts;
  retry?: RetryPolicy;
  /** Page size for list and search calls (Google's maximum is 1,000). */
  pageSize?: number;
  /** Reads observe runs in parallel (default 4). */
  concurrency?: number;
  /** Which hosts and addresses the SDKs may connect to; default: Google's own API hosts only. */
  egress?: EgressGuard;
}

export const ORG_POLICY: ArtifactKind = "gcp.org-policy";
export const CUSTOM: ArtifactKind = "gcp.custom-constraint";
export const DENY: ArtifactKind = "gcp.deny-policy";

/** Per-call options: the SDK's own retry off, so throttles surface to the recorder and withRetry. */
export const NO_RETRY = { retry: null };
export const ONE_PAGE = { retry: null, autoPaginate: false };

const TRANSIENT: ReadonlySet<ProviderErrorKind> = new Set(["throttled", "unavailable"]);
export const CONFLICT: ReadonlySet<ProviderErrorKind> = new Set(["conflict"]);

export function notOwned(operation: string, what: string): ProviderError {
  return refuse(operation, what, "its ownership marker does not name this workspace");
}

export const invalidChange = invalid;

export const isMissing = (e: unknown) => gcpStatus(e) === "NOT_FOUND";
/** Over REST a create of something that exists answers 409, which gax 4 reports as ABORTED. */
export const isExisting = (e: unknown) => gcpStatus(e) === "ALREADY_EXISTS" || gcpStatus(e) === "ABORTED";

export interface LroLike {
  latestResponse: { done?: boolean | null };
  getOperation(): Promise<unknown[]>;
}

/**
 * org-policy 3.0.1's Policy message has no top-level etag (later protos add one), so concurrency rides
 * on the etags of the spec and dry-run spec, which the API checks on update.
 */
export interface RawOrgPolicy {
  policy: TGcpOrgPolicy;
  specEtag?: string;
  dryRunEtag?: string;
}

export interface RawDeny {
  policy: TGcpDenyPolicy;
  etag: string;
  owned: boolean;
}

export function isActive(state: unknown): boolean {
  return state === "ACTIVE" || state === 1;
}

export class GcpContext {
  readonly rec = new CallRecorder();
  readonly c: GcpClients;
  readonly org: string;
  readonly retry: RetryPolicy;
  readonly pageSize: number;
  readonly concurrency: number;

  constructor(readonly cfg: GcpAdapterConfig) {
    const creds = ZGcpCredentials.safeParse(cfg.credentials);
    const facts = ZGcpFacts.safeParse(cfg.facts);
    const bad = creds.error?.issues[0] ?? facts.error?.issues[0];
    if (!creds.success || !facts.success) {
      const where = bad ? `${creds.success ? "facts" : "credentials"}.${bad.path.join(".")}` : "credentials";
      throw invalidChange(
        "gcp.configure",
        `GCP connection settings are invalid at ${where}: ${bad?.message ?? "unreadable"}`,
        "INVALID_SETTINGS",
      );
    }
    try {
      this.c = createGcpClients({ endpoint: cfg.endpoint, credentials: creds.data, egress: cfg.egress ?? new EgressGuard() });
    } catch (e) {
      throw invalidChange(
        "gcp.configure",
        `GCP endpoint "${cfg.endpoint ?? ""}" is not usable: ${e instanceof Error ? e.message : String(e)}`,
        "INVALID_SETTINGS",
      );
    }
    this.org = `organizations/${cfg.facts.organizationId}`;
    this.retry = cfg.retry ?? DEFAULT_RETRY;
    this.pageSize = Math.max(1, Math.min(cfg.pageSize ?? 1000, 1000));
    this.concurrency = cfg.concurrency ?? 4;
  }

  /** One API call: recorded, classified, retried while throttled or unavailable. */
  call<T>(operation: string, write: boolean, fn: () => Promise<T>): Promise<T> {
    return retryOnly(TRANSIENT, this.retry, async () => {
      try {
        return await this.rec.call(operation, write, fn, isGcpThrottle);
      } catch (e) {
        throw classifyGcpError(e, operation);
      }
    });
  }

  /** IAM v2 writes are long-running operations; each poll is a recorded read. */
  async waitOperation(operation: string, op: LroLike): Promise<unknown> {
    for (let i = 0; ; i++) {
      if (op.latestResponse.done) {
        try {
          const [result] = await op.getOperation();
          return result;
        } catch (e) {
          throw classifyGcpError(e, operation);
        }
      }
      await sleep(Math.min(50 * 2 ** i, 2_000));
      await this.call(`${operation}.GetOperation`, false, () => op.getOperation());
    }
  }

  isWholeOwnedConstraint(constraint: string): boolean {
    return constraint.startsWith("custom.") && isOwnedCustomConstraint(constraint, this.cfg.workspaceId);
  }

  denyParent(node: string): string {
    return `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/${node}`)}/denypolicies`;
  }
}
