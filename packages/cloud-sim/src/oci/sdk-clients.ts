import * as common from "oci-common";
import { CloudGuardClient } from "oci-cloudguard";
import { IdentityClient } from "oci-identity";

/**
 * How a caller points the unmodified OCI SDK at the simulator (tests and the demo wiring use the same
 * recipe): SimpleAuthenticationDetailsProvider with the registered key, then `client.endpoint = sim.url`
 * (the setter appends /20160918 or /20200131). Not exported from index.ts: the SDKs are dev dependencies.
 */
export interface OciCreds {
  tenancyId: string;
  userId: string;
  fingerprint: string;
  privateKeyPem: string;
}

export interface ClientOptions {
  /** false (default in tests): one attempt, no circuit breaker, so error statuses surface directly. */
  retries?: boolean;
  /** Sign with this date offset (ms) to exercise clock-skew rejection. */
  dateOffsetMs?: number;
}

function ociProvider(c: OciCreds): common.SimpleAuthenticationDetailsProvider {
  return new common.SimpleAuthenticationDetailsProvider(c.tenancyId, c.userId, c.fingerprint, c.privateKeyPem, null, undefined);
}

/** A real SDK signer whose x-date is shifted, the way a client with a drifting clock signs. */
class ShiftedDateSigner extends common.DefaultRequestSigner {
  constructor(
    provider: common.SimpleAuthenticationDetailsProvider,
    private readonly offsetMs: number,
  ) {
    super(provider);
  }
  override async signHttpRequest(request: common.HttpRequest, forceExcludeBody?: boolean): Promise<void> {
    request.headers.set("x-date", new Date(Date.now() + this.offsetMs).toUTCString());
    await super.signHttpRequest(request, forceExcludeBody);
  }
}

function clientConfig(o: ClientOptions): common.ClientConfiguration {
  return o.retries
    ? {}
    : {
        retryConfiguration: common.NoRetryConfigurationDetails,
        circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }),
      };
}

function httpClientFor(c: OciCreds, o: ClientOptions): common.HttpClient | undefined {
  if (o.dateOffsetMs === undefined) return undefined;
  return new common.FetchHttpClient(new ShiftedDateSigner(ociProvider(c), o.dateOffsetMs), null);
}

export function identityClient(url: string, c: OciCreds, o: ClientOptions = {}): IdentityClient {
  const httpClient = httpClientFor(c, o);
  const client = new IdentityClient(httpClient ? { httpClient } : { authenticationDetailsProvider: ociProvider(c) }, clientConfig(o));
  client.endpoint = url;
  return client;
}

export function cloudGuardClient(url: string, c: OciCreds, o: ClientOptions = {}): CloudGuardClient {
  const httpClient = httpClientFor(c, o);
  const client = new CloudGuardClient(httpClient ? { httpClient } : { authenticationDetailsProvider: ociProvider(c) }, clientConfig(o));
  client.endpoint = url;
  return client;
}

/** Runs an SDK call expected to fail and returns the OciError's status and code. */
export async function ociError(
  p: Promise<unknown>,
): Promise<{ statusCode: number; serviceCode: string; message: string; opcRequestId?: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof common.OciError) {
      return { statusCode: e.statusCode, serviceCode: e.serviceCode, message: e.message, opcRequestId: e.opcRequestId ?? undefined };
    }
    throw e;
  }
  throw new Error("expected the OCI call to fail");
}
