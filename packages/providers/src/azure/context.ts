import type { PolicyClient } from "@azure/arm-policy";
import type { TokenCredential } from "@azure/core-auth";
import { invalid, notOwned as refuse } from "../common/ownership.ts";
export { isObj } from "../common/json.ts";
import { collectPages } from "../common/paging.ts";
import { sleep } from "../common/sleep.ts";
import { isProviderError, type ProviderError } from "../contract/errors.ts";
import { CallRecorder } from "../contract/instrumentation.ts";
import { publicMessage } from "../contract/public-message.ts";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "../contract/retry.ts";
import type { ArtifactKind } from "../contract/types.ts";
import { EgressGuard } from "../egress/guard.ts";
import { createAzureClients, type AzureClients } from "./client.ts";
import {
  AzureClientCredential,
  credentialIdentity,
  DEFAULT_ARM_AUDIENCE,
  staticTokenCredential,
  ZAzureCredentials,
  type TAzureCredentials,
} from "./credentials.ts";
import { classifyAzureError, isAzureThrottle, retryAfterMs } from "./errors.ts";
import { AZURE_OWNER_METADATA_KEY } from "./markers.ts";
import { MG_SCOPE_PREFIX, parseScope, type AzureScope } from "./scope.ts";

/**
 * What every Azure capability (verify, discover, observe, apply) shares for one connection: the
 * parsed configuration, the ARM clients, and the recorded, classified, retried call.
 */

const DEFAULT_ARM_ENDPOINT = "https://management.azure.com";

export interface AzureAdapterConfig {
  workspaceId: string;
  credentials: TAzureCredentials;
  /** ARM base URL override (sovereign clouds, the simulator). */
  endpoint?: string;
  /** Microsoft identity platform host; the token endpoint is `{authorityHost}/{tenant}/oauth2/v2.0/token`. */
  authorityHost?: string;
  /** Token audience (default https://management.azure.com). */
  audience?: string;
  /** PEM CA bundle for a private ARM endpoint and authority (the simulator's self-signed certificate). */
  tlsCa?: string;
  /** Root facts; the root management group defaults to the tenant id (Azure names the tenant root group so). */
  facts?: { rootManagementGroupId?: string; tenantId?: string };
  retry?: RetryPolicy;
  /** Parallel reads during observe; small, so one reconcile leaves room in the tenant's ARM read bucket. */
  concurrency?: number;
  /**
   * Expected artifacts of one kind at one scope from which observe lists the scope (pages of every
   * artifact there) instead of reading each artifact by name.
   */
  listThreshold?: number;
  /** Fresh federated assertions for `federated` credentials (overrides the stored federatedToken). */
  getAssertion?: () => Promise<string>;
  recorder?: CallRecorder;
  /** Which hosts and addresses the SDK may connect to; default: Azure's own hosts only, no allowlist. */
  egress?: EgressGuard;
}

/** What one read of a policy resource yields, before it becomes an ObservedArtifact. */
export interface Found {
  id: string;
  body: unknown;
  owned: boolean;
  /** The cloud's raw metadata (for keeping other people's annotations on update). */
  metadata: unknown;
  /** Assignment fields Parapet does not manage but keeps across its writes. */
  keep?: Record<string, unknown>;
}

export const AZURE_KINDS = new Set<ArtifactKind>([
  "azure.policy-definition",
  "azure.policy-set-definition",
  "azure.policy-assignment",
  "azure.policy-exemption",
]);

// Shown to users (verify, plan "unknown" entries): the classified text, never the cloud's raw answer.
export const reason = (e: unknown): string => publicMessage(e);

export { invalid };

export function notOwned(operation: string, what: string): ProviderError {
  return refuse(operation, what, `its metadata.${AZURE_OWNER_METADATA_KEY} does not name this workspace.`);
}

/**
 * PolicyAssignments_Delete answers 200 with the deleted assignment, or 204 with no body when it was not
 * there: the two statuses the API definition lists, which @azure/arm-policy 7.0.1's generated
 * `_$deleteDeserialize` accepts (expectedStatuses ["200", "204"]) before deserializing the missing body
 * and throwing a TypeError. A 204 is success — nothing was there to delete.
 */
export async function deleteAssignment(policy: PolicyClient, scope: string, name: string): Promise<void> {
  let status: number | undefined;
  try {
    await policy.policyAssignments.delete(scope, name, { onResponse: (r) => void (status = r.status) });
  } catch (e) {
    if (status === 204 && e instanceof TypeError) return;
    throw e;
  }
}

/** arm-policy 7's pages carry their nextLink as `continuationToken` (the modular SDKs' ContinuablePage). */
export const policyToken = (page: unknown): string | undefined => (page as { continuationToken?: string }).continuationToken;

/**
 * Azure adapter: policy definitions, initiatives (policy set definitions), assignments and
 * exemptions through @azure/arm-policy and @azure/arm-managementgroups. Ownership is
 * `metadata.parapetOwner = <workspaceId>`, always read back from ARM before anything is changed.
 */
export class AzureContext {
  readonly recorder: CallRecorder;
  readonly retry: RetryPolicy;
  readonly ws: string;
  readonly rootMg: string;
  readonly rootScope: string;
  readonly concurrency: number;
  readonly listThreshold: number;
  readonly identity: string;
  readonly sdk: AzureClients;

  constructor(config: AzureAdapterConfig) {
    const parsed = ZAzureCredentials.safeParse(config.credentials);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(
        "configure",
        `Azure credentials: ${issue ? `${issue.path.join(".") || "credentials"} ${issue.message}` : "invalid"}`,
        "INVALID_CREDENTIALS",
      );
    }
    const creds = parsed.data;
    this.ws = config.workspaceId;
    const tenantId = config.facts?.tenantId ?? creds.tenantId;
    const root = config.facts?.rootManagementGroupId ?? tenantId;
    if (!root) {
      throw invalid("configure", "Azure connection: the root management group id (or tenant id) is required.", "MISSING_ROOT");
    }
    this.rootMg = root;
    this.rootScope = `${MG_SCOPE_PREFIX}${root}`;
    this.retry = config.retry ?? DEFAULT_RETRY;
    this.concurrency = Math.max(1, config.concurrency ?? 4);
    this.listThreshold = Math.max(1, config.listThreshold ?? 3);
    this.recorder = config.recorder ?? new CallRecorder();
    this.identity = credentialIdentity(creds);
    const egress = (config.egress ?? new EgressGuard()).forCloud("azure");
    let credential: TokenCredential;
    if (creds.kind === "access-token") credential = staticTokenCredential(creds.accessToken);
    else {
      const federatedToken = creds.kind === "federated" ? creds.federatedToken : undefined;
      credential = new AzureClientCredential({
        tenantId: creds.tenantId,
        clientId: creds.clientId,
        ...(creds.kind === "client-secret"
          ? { clientSecret: creds.clientSecret }
          : { assertion: config.getAssertion ?? (async () => federatedToken!) }),
        ...(config.authorityHost ? { authorityHost: config.authorityHost } : {}),
        ...(config.tlsCa ? { tlsCa: config.tlsCa } : {}),
        recorder: this.recorder,
        egress,
      });
    }
    this.sdk = createAzureClients({
      credential,
      egress,
      endpoint: (config.endpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, ""),
      audience: config.audience ?? DEFAULT_ARM_AUDIENCE,
      ...(config.tlsCa ? { tlsCa: config.tlsCa } : {}),
    });
  }

  /**
   * One SDK call: recorded, classified, retried with backoff when retryable. The SDK's own retries
   * are off, so a throttle waits here for the Retry-After ARM asked for (capped by the policy).
   */
  call<T>(operation: string, write: boolean, fn: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await this.recorder.call(operation, write, fn, isAzureThrottle);
        } catch (e) {
          throw classifyAzureError(e, operation);
        }
      },
      this.retry,
      async (err) => {
        const ms = retryAfterMs(err);
        if (ms !== undefined) await sleep(Math.min(ms, this.retry.maxMs));
      },
    );
  }

  /** Reads a list page by page; each page is its own retried call, resuming from its continuation token. */
  pages<T>(operation: string, page: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
    return collectPages((token) => this.call(operation, false, () => page(token)));
  }

  async sdkPages<T>(
    operation: string,
    byPage: (token: string | undefined) => AsyncIterableIterator<T[]>,
    tokenOf: (page: unknown) => string | undefined,
  ): Promise<T[]> {
    return this.pages(operation, async (token) => {
      const r = await byPage(token).next();
      if (r.done) return { items: [], next: undefined };
      return { items: r.value, next: tokenOf(r.value) };
    });
  }

  async orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      if (isProviderError(e) && e.kind === "not_found") return undefined;
      throw e;
    }
  }

  scopeOf(raw: string, operation: string): AzureScope {
    const s = parseScope(raw);
    if (!s) {
      throw invalid(
        operation,
        `'${raw}' is not an Azure scope Parapet can manage (expected providers/Microsoft.Management/managementGroups/<id> or subscriptions/<id>).`,
        "INVALID_SCOPE",
      );
    }
    return s;
  }

  exemptionPath(scope: string, name?: string): string {
    return `${scope}/providers/Microsoft.Authorization/policyExemptions${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
  }
}
