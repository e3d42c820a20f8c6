import * as common from "oci-common";
import { CloudGuardClient } from "oci-cloudguard";
import { IdentityClient } from "oci-identity";
import type { EgressGuard } from "../egress/guard.ts";
import type { TOciCredentials } from "./credentials.ts";

export interface OciEndpoints {
  /** Base URL of the Identity API (the SDK appends /20160918). Default: the region's public endpoint. */
  identity?: string;
  /** Base URL of the Cloud Guard API (the SDK appends /20200131). */
  cloudGuard?: string;
}

export interface OciClients {
  identity: IdentityClient;
  cloudGuard: CloudGuardClient;
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

export function createOciClients(creds: TOciCredentials, endpoints: OciEndpoints, egress: EgressGuard): OciClients {
  const auth = new common.SimpleAuthenticationDetailsProvider(
    creds.tenancyId,
    creds.userId,
    creds.fingerprint,
    creds.privateKeyPem,
    creds.passphrase ?? null,
    undefined,
  );
  const identity = new IdentityClient({ authenticationDetailsProvider: auth }, clientConfiguration(egress));
  const cloudGuard = new CloudGuardClient({ authenticationDetailsProvider: auth }, clientConfiguration(egress));
  // IAM writes are only accepted in the home region, so the credential's region is the home region.
  if (endpoints.identity) identity.endpoint = endpoints.identity;
  else identity.regionId = creds.region;
  if (endpoints.cloudGuard) cloudGuard.endpoint = endpoints.cloudGuard;
  else cloudGuard.regionId = creds.region;
  return {
    identity,
    cloudGuard,
    close() {
      identity.close();
      cloudGuard.close();
    },
  };
}
