import * as common from "oci-common";
import { AuditClient } from "oci-audit";
import { CloudGuardClient } from "oci-cloudguard";
import { IdentityClient } from "oci-identity";
import { isEgressRefused, type EgressGuard } from "../egress/guard.ts";
import type { TOciCredentials } from "./credentials.ts";

export interface OciEndpoints {
  /** Base URL of the Identity API (the SDK appends /20160918). Default: the region's public endpoint. */
  identity?: string;
  /** Base URL of the Cloud Guard API (the SDK appends /20200131). */
  cloudGuard?: string;
  /** Base URL of the Audit API (the SDK appends /20190901). */
  audit?: string;
}

export interface OciClients {
  identity: IdentityClient;
  cloudGuard: CloudGuardClient;
  /** Audit is regional: this client reads the credential's region. */
  audit: AuditClient;
  close(): void;
}

/**
 * The SDK's own retries are switched off and its circuit breaker disabled: every throttle and
 * failure must reach the CallRecorder and Parapet's withRetry, which backs off with full jitter
 * and knows which OCI conditions (412, transient 409) are worth another attempt. A client-side
 * breaker would also turn a throttling storm into fast local failures nobody could account for.
 */
function clientConfiguration(egress: EgressGuard): common.ClientConfiguration {
  return {
    retryConfiguration: common.NoRetryConfigurationDetails,
    circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }),
    // oci-common sends with the global fetch (Node's undici; isomorphic-fetch defers to it) and passes
    // httpOptions as the fetch init: the guarded dispatcher checks every connection, redirects included.
    httpOptions: { dispatcher: egress.dispatcher() },
  };
}

/**
 * oci-common's own HTTP client, passed in through the clients' public `httpClient` parameter only to
 * keep one fact: its retrier copies just `code` and `message` of a transport error (undici's "fetch
 * failed", whose cause is the egress refusal), so the refusal is marked on the error it can see.
 */
class GuardedFetchHttpClient extends common.FetchHttpClient {
  override async send(...args: Parameters<common.FetchHttpClient["send"]>): Promise<Response> {
    try {
      return await super.send(...args);
    } catch (e) {
      if (isEgressRefused(e) && e && typeof e === "object") (e as { code?: string }).code = "EGRESS_REFUSED";
      throw e;
    }
  }
}

export function createOciClients(creds: TOciCredentials, endpoints: OciEndpoints, egress: EgressGuard): OciClients {
  const auth = new common.SimpleAuthenticationDetailsProvider(
    creds.tenancyId,
    creds.userId,
    creds.fingerprint,
    creds.privateKeyPem,
    creds.passphrase ?? null,
    undefined,
  );
  const config = clientConfiguration(egress);
  const httpClient = () => new GuardedFetchHttpClient(new common.DefaultRequestSigner(auth), null, config.httpOptions);
  const identity = new IdentityClient({ httpClient: httpClient() }, config);
  const cloudGuard = new CloudGuardClient({ httpClient: httpClient() }, config);
  // IAM writes are only accepted in the home region, so the credential's region is the home region.
  if (endpoints.identity) identity.endpoint = endpoints.identity;
  else identity.regionId = creds.region;
  if (endpoints.cloudGuard) cloudGuard.endpoint = endpoints.cloudGuard;
  else cloudGuard.regionId = creds.region;
  const audit = new AuditClient({ httpClient: httpClient() }, config);
  if (endpoints.audit) audit.endpoint = endpoints.audit;
  else audit.regionId = creds.region;
  return {
    identity,
    cloudGuard,
    audit,
    close() {
      identity.close();
      cloudGuard.close();
      audit.close();
    },
  };
}
