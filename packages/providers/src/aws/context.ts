import {
  DescribePolicyCommand,
  ListPoliciesCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  type PolicySummary,
  type PolicyType,
} from "@aws-sdk/client-organizations";
import { settleAll } from "../common/concurrency.ts";
import { invalid, notOwned as refuse } from "../common/ownership.ts";
import { collectPages } from "../common/paging.ts";
import { isProviderError, ProviderError } from "../contract/errors.ts";
import { CallRecorder } from "../contract/instrumentation.ts";
import { publicMessage } from "../contract/public-message.ts";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "../contract/retry.ts";
import type { ArtifactKind } from "../contract/types.ts";
import type { EgressGuard } from "../egress/guard.ts";
import { createAwsClients, type AwsClients } from "./client.ts";
import { ZAwsAdapterFacts, ZAwsCredentials, type TAwsAdapterFacts, type TAwsCredentials } from "./credentials.ts";
import { awsErrorCode, classifyAwsError, isAwsThrottle } from "./errors.ts";
import { awsPolicyTypeFromApi } from "./compare.ts";
import { AWS_NAME_PREFIX, AWS_OWNER_TAG_KEY, isOwnedByWorkspaceAws, workspaceShort } from "./markers.ts";
import { AWS_DEFAULT_RATE_LIMITS, RateLimiter, type TAwsRateLimits } from "./rate.ts";
import type { TAwsOrgTrail } from "./audit-trail.ts";
import type { TAwsConfigAggregator } from "./principal-tags.ts";
import { AWS_DEFAULT_LIMITS, AWS_POLICY_TYPE_API_NAME, type TAwsPolicyLimits, type TAwsPolicyType } from "./types.ts";

/**
 * What every AWS capability (verify, discover, observe, apply) shares for one connection: the
 * parsed configuration, the SDK clients, and the paced, recorded, retried call.
 */

export interface AwsAdapterConfig {
  workspaceId: string;
  /**
   * The organization trail's log bucket, when the customer has one Parapet may read: impact replay then
   * reads every account's management and data events from it instead of the management account's
   * LookupEvents history.
   */
  orgTrail?: TAwsOrgTrail | null;
  /**
   * An AWS Config aggregator over the organization (in the connector's account): impact replay reads
   * member accounts' IAM role and user tags from it, which the connector cannot read otherwise.
   */
  configAggregator?: TAwsConfigAggregator | null;
  credentials: TAwsCredentials;
  /** Overrides the Organizations and STS endpoints (simulator, FIPS or sovereign endpoints). */
  endpoint?: string | null;
  /** Which hosts and addresses the SDK may connect to; default: AWS's own hosts only, no allowlist. */
  egress?: EgressGuard;
  /** Signing region; Organizations answers in us-east-1 in the aws partition. */
  region?: string;
  /** What core stored about the organization (orgId, managementAccountId); verify() checks them. */
  facts?: unknown;
  /** Per-connection quotas (SCP size); defaults are AWS's since May 2026. */
  limits?: Partial<TAwsPolicyLimits> | null;
  retry?: RetryPolicy;
  recorder?: CallRecorder;
  /** Reads in flight at once during discover/observe (default 4). */
  concurrency?: number;
  /** Client-side pacing per operation or family; `false` turns it off (tests against a fast simulator). */
  rateLimits?: TAwsRateLimits | false;
  /** MaxResults for list calls, 1..20 (default 20, the API maximum). */
  pageSize?: number;
  requestTimeoutMs?: number;
  /** Seconds an assumed-role session lasts (default 3600). */
  sessionSeconds?: number;
}

export const AWS_KINDS: Record<TAwsPolicyType, ArtifactKind> = { SCP: "aws.scp", RCP: "aws.rcp" };
export const KIND_TYPE: Partial<Record<ArtifactKind, TAwsPolicyType>> = { "aws.scp": "SCP", "aws.rcp": "RCP" };

export interface DescribedPolicy {
  id: string;
  name: string;
  description: string;
  type: TAwsPolicyType;
  content: string;
  awsManaged: boolean;
}

export { invalid };

function notOwned(operation: string, what: string): ProviderError {
  return refuse(
    operation,
    what,
    `it does not carry the ownership marker of this workspace (name prefix '${AWS_NAME_PREFIX}' and tag '${AWS_OWNER_TAG_KEY}').`,
  );
}

// Shown to users (plan "unknown" entries): the classified text, never the cloud's raw answer.
export const reasonOf = (e: unknown): string => publicMessage(e);
const tagRecord = (tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? "";
  return out;
};
export const isCode = (e: unknown, ...codes: string[]): boolean =>
  isProviderError(e) ? codes.some((c) => e.code === c || e.code?.startsWith(`${c}:`)) : codes.includes(awsErrorCode(e));

/**
 * AWS Organizations adapter: SCPs and RCPs Parapet owns, through @aws-sdk/client-organizations.
 *
 * Ownership is the name prefix `parapet-` plus the tag `parapet:managed=<workspaceId>`, read from AWS
 * (ListTagsForResource) right before every update, detach or delete — never taken from the request.
 * Observe skips that tag read for policies whose id Parapet recorded when it created them (or whose
 * tag this adapter already read), and reads recorded policies by id without listing, which keeps a
 * steady-state observe at two calls per owned policy (DescribePolicy + ListTargetsForPolicy),
 * independent of the number of accounts; the unrecorded ones (first adoption, a crash between CreatePolicy and recording it, a
 * look-alike someone else created) get their tag read before they are reported as owned.
 */
export class AwsContext {
  readonly recorder: CallRecorder;
  readonly retry: RetryPolicy;
  readonly ws: string;
  readonly wsPrefix: string;
  readonly facts: TAwsAdapterFacts;
  readonly limits: TAwsPolicyLimits;
  readonly concurrency: number;
  readonly pageSize: number;
  readonly limiter: RateLimiter;
  readonly clients: AwsClients;
  readonly orgTrail: TAwsOrgTrail | undefined;
  readonly configAggregator: TAwsConfigAggregator | undefined;
  /** Policy ids whose ownership tag this adapter read from AWS (or wrote at creation). */
  readonly verifiedOwned = new Set<string>();

  constructor(config: AwsAdapterConfig) {
    const parsed = ZAwsCredentials.safeParse(config.credentials);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(
        "configure",
        `AWS credentials: ${issue ? `${issue.path.join(".") || "credentials"} ${issue.message}` : "invalid"}`,
        "INVALID_CREDENTIALS",
      );
    }
    // The workspace id is the ownership tag's value; Organizations caps tag values at 256 characters.
    if (!config.workspaceId || config.workspaceId.length > 256) {
      throw invalid("configure", "workspaceId must be 1-256 characters: it is written as the parapet:managed tag value.", "INVALID_CONFIG");
    }
    const facts = ZAwsAdapterFacts.safeParse(config.facts ?? {});
    this.facts = facts.success ? facts.data : {};
    this.ws = config.workspaceId;
    if (config.orgTrail) {
      const t = config.orgTrail;
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(t.bucket))
        throw invalid("configure", `orgTrail.bucket is not an S3 bucket name: ${t.bucket.slice(0, 70)}`, "INVALID_CONFIG");
      if (t.regions.length === 0 || t.regions.length > 40 || !t.regions.every((r) => /^[a-z]{2}(-[a-z]+)+-\d$/.test(r))) {
        throw invalid("configure", "orgTrail.regions must list 1-40 AWS Regions (e.g. us-east-1)", "INVALID_CONFIG");
      }
      if (t.prefix !== undefined && (t.prefix.length > 200 || t.prefix.endsWith("/")))
        throw invalid("configure", "orgTrail.prefix must be at most 200 characters, without a trailing slash", "INVALID_CONFIG");
    }
    this.orgTrail = config.orgTrail ?? undefined;
    if (config.configAggregator) {
      const a = config.configAggregator;
      // SelectAggregateResourceConfig: ConfigurationAggregatorName is 1-256 of [\w\-]+.
      if (!/^[\w-]{1,256}$/.test(a.name))
        throw invalid("configure", `configAggregator.name is not an AWS Config aggregator name: ${a.name.slice(0, 70)}`, "INVALID_CONFIG");
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(a.region))
        throw invalid("configure", "configAggregator.region must be an AWS Region (e.g. us-east-1)", "INVALID_CONFIG");
    }
    this.configAggregator = config.configAggregator ?? undefined;
    this.wsPrefix = `${AWS_NAME_PREFIX}${workspaceShort(config.workspaceId)}-`;
    this.limits = { ...AWS_DEFAULT_LIMITS, ...(config.limits ?? {}) };
    this.retry = config.retry ?? DEFAULT_RETRY;
    this.recorder = config.recorder ?? new CallRecorder();
    this.concurrency = Math.max(1, Math.min(config.concurrency ?? 4, 32));
    this.pageSize = Math.max(1, Math.min(config.pageSize ?? 20, 20));
    this.limiter = new RateLimiter(config.rateLimits === undefined ? AWS_DEFAULT_RATE_LIMITS : config.rateLimits);
    this.clients = createAwsClients({
      credentials: parsed.data,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.egress ? { egress: config.egress } : {}),
      ...(config.region ? { region: config.region } : {}),
      sessionName: `parapet-${workspaceShort(config.workspaceId)}`,
      ...(config.sessionSeconds ? { sessionSeconds: config.sessionSeconds } : {}),
      ...(config.requestTimeoutMs ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
      run: (op, write, fn) => this.call(op, write, fn),
    });
  }

  /**
   * One API call: paced, recorded (every attempt, so throttles are counted), classified, and retried
   * with full-jitter backoff when retryable. Expired sessions are dropped so the retry re-assumes.
   */
  async call<T>(operation: string, write: boolean, fn: () => Promise<T>): Promise<T> {
    const isSts = operation.startsWith("sts:");
    // Credentials are resolved first so an AssumeRole failure surfaces as itself, not inside another call.
    if (!isSts) await this.clients.credentials();
    return withRetry(
      async () => {
        if (!isSts) await this.limiter.take(operation, write);
        return this.recorder.call(
          operation,
          write,
          async () => {
            try {
              return await fn();
            } catch (e) {
              throw classifyAwsError(e, operation);
            }
          },
          isAwsThrottle,
        );
      },
      this.retry,
      (e) => {
        if (isProviderError(e) && e.kind === "auth" && e.retryable) this.clients.invalidate();
      },
    );
  }

  /** Follows NextToken to the end; AWS may answer empty pages that still carry a token. */
  paged<T>(
    operation: string,
    fetch: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>,
  ): Promise<T[]> {
    return collectPages(
      (t) => this.call(operation, false, () => fetch(t)),
      () =>
        new ProviderError(
          "unavailable",
          `AWS Organizations returned a repeating page token for ${operation}.`,
          true,
          operation,
          "PAGING_LOOP",
        ),
    );
  }

  listPolicies(type: TAwsPolicyType): Promise<PolicySummary[]> {
    return this.paged("ListPolicies", async (NextToken) => {
      const r = await this.clients.org.send(
        new ListPoliciesCommand({ Filter: AWS_POLICY_TYPE_API_NAME[type] as PolicyType, MaxResults: this.pageSize, NextToken }),
      );
      return { items: r.Policies, next: r.NextToken };
    });
  }

  async describePolicy(id: string): Promise<DescribedPolicy> {
    const r = await this.call("DescribePolicy", false, () => this.clients.org.send(new DescribePolicyCommand({ PolicyId: id })));
    const s = r.Policy?.PolicySummary;
    const type = awsPolicyTypeFromApi(s?.Type);
    if (!s?.Id || !s.Name || !type)
      throw new ProviderError(
        "invalid",
        `DescribePolicy answered without a usable policy summary for ${id}.`,
        false,
        "DescribePolicy",
        "BAD_RESPONSE",
      );
    return {
      id: s.Id,
      name: s.Name,
      description: s.Description ?? "",
      type,
      content: r.Policy?.Content ?? "",
      awsManaged: s.AwsManaged === true,
    };
  }

  listTargets(policyId: string): Promise<string[]> {
    return this.paged("ListTargetsForPolicy", async (NextToken) => {
      const r = await this.clients.org.send(new ListTargetsForPolicyCommand({ PolicyId: policyId, MaxResults: this.pageSize, NextToken }));
      return { items: (r.Targets ?? []).map((t) => t.TargetId ?? "").filter((x) => x !== ""), next: r.NextToken };
    });
  }

  async listTags(resourceId: string): Promise<Record<string, string>> {
    const tags = await this.paged("ListTagsForResource", async (NextToken) => {
      const r = await this.clients.org.send(new ListTagsForResourceCommand({ ResourceId: resourceId, NextToken }));
      return { items: r.Tags, next: r.NextToken };
    });
    return tagRecord(tags);
  }

  /**
   * Reads the ownership marker from AWS (never from the request): the policy's current name must carry
   * the `parapet-` prefix and its tags `parapet:managed=<this workspace>`. Returns the described policy.
   */
  async assertOwned(operation: string, policyId: string): Promise<DescribedPolicy> {
    const [p, tags] = await settleAll([this.describePolicy(policyId), this.listTags(policyId)] as const);
    if (p.awsManaged || !isOwnedByWorkspaceAws({ name: p.name, tags }, this.ws)) {
      this.verifiedOwned.delete(policyId);
      throw notOwned(operation, `policy ${p.name} (${policyId})`);
    }
    this.verifiedOwned.add(policyId);
    return p;
  }
}
