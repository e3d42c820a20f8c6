import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { EgressGuard } from "../egress/guard.ts";
import type { TAwsCredentials } from "./credentials.ts";

/**
 * SDK client wiring for one AWS connection: an Organizations client and the STS clients behind it.
 *
 * Retries are the adapter's job, not the SDK's: every client runs with `maxAttempts: 1` so each
 * throttle reaches the CallRecorder and withRetry (which also retries the conflicts the SDK never
 * retries). An endpoint override applies to Organizations and STS alike, so a connection can point
 * at the simulator, a FIPS/sovereign endpoint or a test double.
 */

interface AwsSessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Runs one named STS call through the adapter's recorder and retry policy. */
type AwsCallRunner = <T>(operation: string, write: boolean, fn: () => Promise<T>) => Promise<T>;

export interface AwsClientOptions {
  credentials: TAwsCredentials;
  endpoint?: string;
  /** Organizations is a global service answered in us-east-1 (aws partition); STS uses the same region. */
  region?: string;
  /** RoleSessionName, visible in CloudTrail as who made each change. */
  sessionName: string;
  /** Seconds; the connector role's MaxSessionDuration must allow it (AWS default 3600). */
  sessionSeconds?: number;
  requestTimeoutMs?: number;
  run: AwsCallRunner;
  /** Connect-time host and address checks for Organizations and STS; default: AWS's own hosts only. */
  egress?: EgressGuard;
}

export interface AwsClients {
  /** The current Organizations client (replaced when an expired session is dropped). */
  readonly org: OrganizationsClient;
  /** Resolves (and caches) the credentials Organizations calls use; assumes the role when needed. */
  credentials(): Promise<AwsSessionCredentials>;
  /** Drops cached session credentials (after ExpiredToken), so the next call assumes the role again. */
  invalidate(): void;
  /**
   * A CloudTrail client for event history in `region` (LookupEvents is regional: each Region holds its
   * own 90 days; global services such as Organizations and IAM log in us-east-1).
   */
  cloudtrail(region: string): CloudTrailClient;
  /** An S3 client for an organization trail's log bucket (path-style, so an endpoint override works). */
  s3(): S3Client;
  /** An AWS Config client in the aggregator's Region (principal tags of member accounts' IAM roles). */
  config(region: string): ConfigServiceClient;
  /** ARN of the identity the Organizations calls run as. */
  callerIdentity(): Promise<{ arn: string; account: string }>;
  destroy(): void;
}

// Refresh this long before expiry so a long discovery never sends a request with a dying session.
const REFRESH_MARGIN_MS = 5 * 60_000;

export function createAwsClients(o: AwsClientOptions): AwsClients {
  const region = o.region ?? "us-east-1";
  const endpoint = o.endpoint;
  // Every socket the clients open goes through the guard's agents (NodeHttpHandler never follows redirects).
  const egress = (o.egress ?? new EgressGuard()).forCloud("aws");
  const requestHandler = {
    requestTimeout: o.requestTimeoutMs ?? 30_000,
    connectionTimeout: 5_000,
    httpAgent: egress.httpAgent(),
    httpsAgent: egress.httpsAgent(),
  };
  const c = o.credentials;

  let cached: AwsSessionCredentials | undefined;
  let inflight: Promise<AwsSessionCredentials> | undefined;
  let baseSts: STSClient | undefined;

  const assume = async (): Promise<AwsSessionCredentials> => {
    if (c.kind !== "assume-role") throw new Error("assume() without a role");
    // No source keys: the SDK's default chain supplies the worker's ambient identity.
    baseSts ??= new STSClient({
      region,
      endpoint,
      maxAttempts: 1,
      requestHandler,
      ...(c.sourceAccessKeyId && c.sourceSecretAccessKey
        ? { credentials: { accessKeyId: c.sourceAccessKeyId, secretAccessKey: c.sourceSecretAccessKey } }
        : {}),
    });
    const sts = baseSts;
    const out = await o.run("sts:AssumeRole", false, () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: c.roleArn,
          ExternalId: c.externalId,
          RoleSessionName: o.sessionName,
          DurationSeconds: o.sessionSeconds ?? 3600,
        }),
      ),
    );
    const cr = out.Credentials;
    if (!cr?.AccessKeyId || !cr.SecretAccessKey) throw new Error("STS AssumeRole answered without credentials");
    return {
      accessKeyId: cr.AccessKeyId,
      secretAccessKey: cr.SecretAccessKey,
      ...(cr.SessionToken ? { sessionToken: cr.SessionToken } : {}),
      ...(cr.Expiration ? { expiration: cr.Expiration } : {}),
    };
  };

  const credentials = async (): Promise<AwsSessionCredentials> => {
    if (c.kind === "access-keys") return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS)) return cached;
    // Concurrent discovery workers share one AssumeRole instead of stampeding STS.
    inflight ??= assume()
      .then((cr) => {
        cached = cr;
        return cr;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  const newOrg = () => new OrganizationsClient({ region, endpoint, maxAttempts: 1, requestHandler, credentials });
  let org = newOrg();
  // Clients replaced after an expired session; in-flight requests may still use them, so they are closed last.
  const retired: Array<{ destroy(): void }> = [];
  let callerSts: STSClient | undefined;
  const trails = new Map<string, CloudTrailClient>();
  let s3: S3Client | undefined;
  const configs = new Map<string, ConfigServiceClient>();

  return {
    get org() {
      return org;
    },
    credentials,
    cloudtrail(r: string) {
      let t = trails.get(r);
      if (!t) {
        t = new CloudTrailClient({ region: r, endpoint, maxAttempts: 1, requestHandler, credentials });
        trails.set(r, t);
      }
      return t;
    },
    s3() {
      s3 ??= new S3Client({ region, endpoint, forcePathStyle: true, maxAttempts: 1, requestHandler, credentials });
      return s3;
    },
    config(r: string) {
      let c = configs.get(r);
      if (!c) {
        c = new ConfigServiceClient({ region: r, endpoint, maxAttempts: 1, requestHandler, credentials });
        configs.set(r, c);
      }
      return c;
    },
    invalidate() {
      cached = undefined;
      // The SDK memoises what a credential provider returned until its own view of the expiry; a fresh
      // client is the only way to make it ask again when AWS says the session expired earlier.
      retired.push(org);
      org = newOrg();
      if (callerSts) retired.push(callerSts);
      callerSts = undefined;
      retired.push(...trails.values());
      trails.clear();
      if (s3) retired.push(s3);
      s3 = undefined;
      retired.push(...configs.values());
      configs.clear();
    },
    async callerIdentity() {
      callerSts ??= new STSClient({ region, endpoint, maxAttempts: 1, requestHandler, credentials });
      const sts = callerSts;
      const out = await o.run("sts:GetCallerIdentity", false, () => sts.send(new GetCallerIdentityCommand({})));
      return { arn: out.Arn ?? "", account: out.Account ?? "" };
    },
    destroy() {
      org.destroy();
      for (const r of retired) r.destroy();
      baseSts?.destroy();
      callerSts?.destroy();
      for (const t of trails.values()) t.destroy();
      s3?.destroy();
      for (const c of configs.values()) c.destroy();
    },
  };
}
