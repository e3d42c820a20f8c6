import type { models as cgModels } from "oci-cloudguard";
import type { models as idModels } from "oci-identity";
import { invalid, notOwned as refuse } from "../common/ownership.ts";
import { collectPages } from "../common/paging.ts";
import { isProviderError, ProviderError } from "../contract/errors.ts";
import { CallRecorder } from "../contract/instrumentation.ts";
import { publicMessage } from "../contract/public-message.ts";
import { DEFAULT_RETRY, retryWhen, withRetry, type RetryPolicy } from "../contract/retry.ts";
import { EgressGuard } from "../egress/guard.ts";
import { createOciClients, type OciClients, type OciEndpoints } from "./client.ts";
import { parapetTags } from "./compare.ts";
import { checkPrivateKey, ZOciCredentials, type TOciCredentials } from "./credentials.ts";
import { classifyOciError, isOciThrottle } from "./errors.ts";
import { OCI_NAME_PREFIX, OCI_OWNER_TAG_KEY, ociOwnerTags } from "./markers.ts";

/**
 * What every OCI capability shares for one connection: the parsed configuration, the lazily built
 * SDK clients, the recorded/classified/retried call and the etag retry loop.
 */

export interface OciAdapterConfig {
  workspaceId: string;
  credentials: TOciCredentials;
  /** One base URL for both Identity and Cloud Guard (the simulators serve both on one port). */
  endpoint?: string;
  /** Per-service overrides; win over `endpoint`. */
  endpoints?: OciEndpoints;
  /** Root facts; the tenancy OCID defaults to the credentials' tenancy. */
  facts?: { tenancyId?: string };
  retry?: RetryPolicy;
  /** Page size for list calls (OCI accepts up to 1000). */
  pageLimit?: number;
  /** Parallel reads during observe; kept small so one reconcile does not eat the tenancy's rate limit. */
  concurrency?: number;
  recorder?: CallRecorder;
  /** Which hosts and addresses the SDK may connect to; default: OCI's own hosts only, no allowlist. */
  egress?: EgressGuard;
}

export type Policy = idModels.Policy;
export type Recipe = cgModels.SecurityRecipeSummary;
export type Zone = cgModels.SecurityZoneSummary;

const DEAD = new Set(["DELETED", "DELETING", "FAILED"]);
export const isLive = (x: { lifecycleState?: string }): boolean => !DEAD.has(x.lifecycleState ?? "ACTIVE");
export const ETAG_MISMATCH = "NoEtagMatch";
const DEFAULT_PAGE_LIMIT = 1000;

export { invalid };

export function notOwned(operation: string, what: string): ProviderError {
  return refuse(
    operation,
    what,
    `its ownership marker (name prefix '${OCI_NAME_PREFIX}' and tag '${OCI_OWNER_TAG_KEY}') does not name this workspace.`,
  );
}

// Shown to users (verify, plan "unknown" entries): the classified text, never the cloud's raw answer.
export const reason = (e: unknown): string => publicMessage(e);

/**
 * OCI adapter: IAM policies (Identity) and security zones with Parapet-owned recipes (Cloud Guard),
 * through the official SDKs. Ownership is the `parapet-` name prefix plus the freeform tag
 * `parapet-managed=<workspaceId>`, always read back from OCI before anything is changed.
 */
export class OciContext {
  readonly recorder: CallRecorder;
  readonly retry: RetryPolicy;
  readonly tenancyId: string;
  readonly ws: string;
  readonly pageLimit: number;
  readonly concurrency: number;
  readonly creds: TOciCredentials;
  readonly endpoints: OciEndpoints;
  readonly egress: EgressGuard;
  sdk: OciClients | undefined;
  readonly keyProblem: string | null;
  readonly userId: string;
  /** Oracle's security zone policies never change for a tenancy; one read per adapter is enough. */
  catalog: { nameById: Map<string, string>; idByKey: Map<string, string> } | undefined;

  constructor(config: OciAdapterConfig) {
    const parsed = ZOciCredentials.safeParse(config.credentials);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(
        "configure",
        `OCI credentials: ${issue ? `${issue.path.join(".")} ${issue.message}` : "invalid"}`,
        "INVALID_CREDENTIALS",
      );
    }
    const creds = parsed.data;
    // The workspace id is the ownership tag's value; OCI caps freeform tag values at 256 characters.
    if (!config.workspaceId || config.workspaceId.length > 256) {
      throw invalid("configure", "workspaceId must be 1-256 characters: it is written as the parapet-managed tag value.", "INVALID_CONFIG");
    }
    this.ws = config.workspaceId;
    this.userId = creds.userId;
    this.tenancyId = config.facts?.tenancyId ?? creds.tenancyId;
    this.retry = config.retry ?? DEFAULT_RETRY;
    this.pageLimit = Math.min(Math.max(1, config.pageLimit ?? DEFAULT_PAGE_LIMIT), 1000);
    this.concurrency = Math.max(1, config.concurrency ?? 4);
    this.recorder = config.recorder ?? new CallRecorder();
    this.keyProblem = checkPrivateKey(creds.privateKeyPem, creds.passphrase);
    this.creds = creds;
    this.egress = (config.egress ?? new EgressGuard()).forCloud("oci");
    this.endpoints = {
      identity: config.endpoints?.identity ?? config.endpoint,
      cloudGuard: config.endpoints?.cloudGuard ?? config.endpoint,
      audit: config.endpoints?.audit ?? config.endpoint,
    };
  }

  /** Built on first use: the SDK parses the key in its constructor, and a bad key must surface as a verify error. */
  get clients(): OciClients {
    if (this.keyProblem) {
      throw new ProviderError("auth", `OCI API key: ${this.keyProblem}.`, false, "sign", "INVALID_PRIVATE_KEY");
    }
    try {
      this.sdk ??= createOciClients(this.creds, this.endpoints, this.egress);
    } catch (e) {
      throw new ProviderError(
        "auth",
        "OCI API key: the SDK cannot use the private key for signing.",
        false,
        "sign",
        "INVALID_PRIVATE_KEY",
        e,
      );
    }
    return this.sdk;
  }

  /**
   * One SDK call: recorded, classified, retried with backoff when retryable. `passThrough` errors
   * leave at once so an outer loop can act first (a 412 needs a fresh etag, not the same request again).
   */
  async call<T>(operation: string, write: boolean, fn: () => Promise<T>, passThrough?: (e: ProviderError) => boolean): Promise<T> {
    const r = await withRetry(async () => {
      try {
        return { ok: await this.recorder.call(operation, write, fn, isOciThrottle) };
      } catch (e) {
        const pe = classifyOciError(e, operation);
        if (passThrough?.(pe)) return { err: pe };
        throw pe;
      }
    }, this.retry);
    if ("err" in r) throw r.err;
    return r.ok;
  }

  /** Read-modify-write with OCI etags: on 412 the whole step runs again, re-reading the object. */
  withFreshEtag<T>(step: () => Promise<T>): Promise<T> {
    return retryWhen((e) => isProviderError(e) && e.code === ETAG_MISMATCH, step, this.retry);
  }

  pages<T>(operation: string, fetch: (page: string | undefined) => Promise<{ items: T[]; next?: string | null }>): Promise<T[]> {
    return collectPages((page) => this.call(operation, false, () => fetch(page)));
  }

  isNotFound(e: unknown): boolean {
    return isProviderError(e) && e.kind === "not_found";
  }

  ownerTags(existing?: Record<string, string> | null, desired?: Record<string, string>): Record<string, string> {
    // Customers' own freeform tags survive Parapet's writes; Parapet's keys are set from desired.
    const keep: Record<string, string> = {};
    for (const [k, v] of Object.entries(existing ?? {})) if (!k.startsWith(OCI_NAME_PREFIX)) keep[k] = v;
    return { ...keep, ...parapetTags(desired), ...ociOwnerTags(this.ws) };
  }
}
