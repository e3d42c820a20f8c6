import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { createDefaultHttpClient, createHttpHeaders, createPipelineFromOptions, createPipelineRequest } from "@azure/core-rest-pipeline";
import { z } from "zod";
import { ProviderError } from "../contract/errors.ts";
import { EgressGuard } from "../egress/guard.ts";
import type { CallRecorder } from "../contract/instrumentation.ts";

/**
 * What Parapet stores for an Azure connection. Preferred: workload identity federation (a
 * `federated` app registration trusting Parapet's issuer, no secret at rest); supported: an app
 * registration with a client secret; for tests and short-lived demos, a bearer token.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const guid = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .max(36, `${field} must be a GUID (36 characters)`)
    .regex(GUID, { message: `${field} must be a GUID like 00000000-0000-0000-0000-000000000000` });

const jwt = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} is required`)
    .max(16_384, `${field} must be at most 16384 characters`)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, {
      message: `${field} must be a JWT (three base64url parts separated by dots)`,
    });

const ZAzureClientSecretCredentials = z.object({
  kind: z.literal("client-secret"),
  tenantId: guid("tenantId"),
  clientId: guid("clientId"),
  clientSecret: z
    .string({ error: "clientSecret is required" })
    .min(1, "clientSecret is required")
    .max(1024, "clientSecret must be at most 1024 characters"),
});

const ZAzureFederatedCredentials = z.object({
  kind: z.literal("federated"),
  tenantId: guid("tenantId"),
  clientId: guid("clientId"),
  /** An assertion from an issuer the app registration trusts (federated identity credential). */
  federatedToken: jwt("federatedToken"),
});

const ZAzureAccessTokenCredentials = z.object({
  kind: z.literal("access-token"),
  /** An ARM bearer token (tests, demos); it cannot be refreshed, so the connection stops working when it expires. */
  accessToken: z
    .string({ error: "accessToken is required" })
    .trim()
    .min(1, "accessToken is required")
    .max(16_384, "accessToken must be at most 16384 characters"),
  tenantId: guid("tenantId").optional(),
});

export const ZAzureCredentials = z.discriminatedUnion(
  "kind",
  [ZAzureClientSecretCredentials, ZAzureFederatedCredentials, ZAzureAccessTokenCredentials],
  {
    error: "kind must be one of client-secret, federated, access-token",
  },
);

export type TAzureCredentials = z.infer<typeof ZAzureCredentials>;

const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";
export const DEFAULT_ARM_AUDIENCE = "https://management.azure.com";

/** Claims of a JWT without verifying it (only to name the identity and read `exp`). */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split(".")[1];
  if (!part) return undefined;
  try {
    const v = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The identity a credential resolves to, for verify(): the app (client) id where one is known. */
export function credentialIdentity(c: TAzureCredentials): string {
  if (c.kind !== "access-token") return c.clientId;
  const claims = jwtClaims(c.accessToken);
  const id = claims?.appid ?? claims?.azp ?? claims?.oid;
  return typeof id === "string" ? id : "bearer token";
}

export function staticTokenCredential(token: string): TokenCredential {
  const exp = jwtClaims(token)?.exp;
  const expiresOnTimestamp = typeof exp === "number" ? exp * 1000 : Date.now() + 3_600_000;
  return {
    getToken: async () => {
      if (expiresOnTimestamp <= Date.now()) {
        throw new ProviderError(
          "auth",
          "The stored Azure access token has expired; store a new one or connect with an app registration.",
          false,
          "GetToken",
          "ExpiredAuthenticationToken",
        );
      }
      return { token, expiresOnTimestamp };
    },
  };
}

export interface ClientCredentialOptions {
  tenantId: string;
  clientId: string;
  /** Exactly one of secret / assertion. */
  clientSecret?: string;
  /** Returns a fresh federated assertion each time a token is needed. */
  assertion?: () => Promise<string>;
  authorityHost?: string;
  /** PEM CA bundle for a private authority (the simulator's self-signed certificate). */
  tlsCa?: string;
  recorder?: CallRecorder;
  /** Connect-time host and address checks; default: Microsoft's authorities only. */
  egress?: EgressGuard;
}

/** Tokens are renewed this long before they expire, so no ARM call ever carries a token about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface AadTokenReply {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
  error_codes?: unknown;
}

/**
 * Microsoft identity platform v2 client-credentials grant (client secret or federated assertion),
 * sent through the Azure SDK's own HTTP pipeline so a private CA and transient-failure retries are
 * handled the same way as ARM calls. Tokens are cached per scope until shortly before expiry and
 * concurrent callers share one request.
 */
export class AzureClientCredential implements TokenCredential {
  private readonly cache = new Map<string, AccessToken>();
  private readonly inflight = new Map<string, Promise<AccessToken>>();
  private readonly pipeline;
  private readonly http = createDefaultHttpClient();
  private readonly tokenUrl: string;

  constructor(private readonly o: ClientCredentialOptions) {
    if ((o.clientSecret === undefined) === (o.assertion === undefined)) {
      throw new ProviderError(
        "invalid",
        "An Azure client credential needs exactly one of a client secret or a federated assertion.",
        false,
        "GetToken",
        "INVALID_CREDENTIALS",
      );
    }
    const host = (o.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, "");
    this.tokenUrl = `${host}/${encodeURIComponent(o.tenantId)}/oauth2/v2.0/token`;
    this.pipeline = createPipelineFromOptions({
      retryOptions: { maxRetries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
      agent: (o.egress ?? new EgressGuard()).forCloud("azure").httpsAgent(o.tlsCa ? { ca: o.tlsCa } : {}),
      // A token request carries the client secret: it is never re-sent to wherever a redirect points.
      redirectOptions: { maxRetries: 0 },
      userAgentOptions: { userAgentPrefix: "parapet" },
    });
  }

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const scope = (Array.isArray(scopes) ? scopes : [scopes]).join(" ");
    const cached = this.cache.get(scope);
    if (cached && cached.expiresOnTimestamp - REFRESH_MARGIN_MS > Date.now()) return cached;
    let p = this.inflight.get(scope);
    if (!p) {
      p = this.request(scope).finally(() => this.inflight.delete(scope));
      this.inflight.set(scope, p);
    }
    return p;
  }

  private async request(scope: string): Promise<AccessToken> {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: this.o.clientId, scope });
    if (this.o.clientSecret !== undefined) form.set("client_secret", this.o.clientSecret);
    else {
      form.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      form.set("client_assertion", await this.o.assertion!());
    }
    const send = async () => {
      const req = createPipelineRequest({
        url: this.tokenUrl,
        method: "POST",
        body: form.toString(),
        headers: createHttpHeaders({ "content-type": "application/x-www-form-urlencoded", accept: "application/json" }),
      });
      return this.pipeline.sendRequest(this.http, req);
    };
    let res;
    try {
      res = this.o.recorder ? await this.o.recorder.call("AAD_Token", false, send, () => false) : await send();
    } catch (e) {
      // One text for every network failure (refused, reset, timeout, refused by the egress guard): a
      // different answer per port would turn the token request into a port scanner. The cause is logged.
      throw new ProviderError(
        "unavailable",
        "The Microsoft identity platform could not be reached.",
        true,
        "GetToken",
        "TokenEndpointUnreachable",
        e,
      );
    }
    let body: AadTokenReply = {};
    try {
      body = JSON.parse(res.bodyAsText ?? "{}") as AadTokenReply;
    } catch {
      // A non-JSON answer (a proxy's HTML page) is reported by status below.
    }
    if (res.status === 200 && typeof body.access_token === "string") {
      const expiresIn = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in ?? 3599);
      const token: AccessToken = {
        token: body.access_token,
        expiresOnTimestamp: Date.now() + (Number.isFinite(expiresIn) ? expiresIn : 3599) * 1000,
      };
      this.cache.set(scope, token);
      return token;
    }
    throw tokenError(res.status, body, this.o);
  }
}

/** AADSTS codes people meet when connecting, with what to do about them. */
const AADSTS_HINTS: Record<number, string> = {
  7000215: "the client secret is wrong (use the secret's value, not its id)",
  7000222: "the client secret has expired; create a new one",
  700016: "no application with this client id exists in the tenant",
  90002: "the tenant id does not exist",
  700024: "the federated assertion is expired or not yet valid",
  70021: "no federated identity credential on the app matches the assertion's issuer and subject",
  1002012: "the requested scope is not valid",
  50027: "the federated assertion is malformed",
};

function tokenError(status: number, body: AadTokenReply, o: ClientCredentialOptions): ProviderError {
  const codes = Array.isArray(body.error_codes) ? body.error_codes.filter((c): c is number => typeof c === "number") : [];
  const first = codes[0];
  // `error` is the authority's own text: shown only when it is a short OAuth error code (RFC 6749 5.2).
  const code =
    first !== undefined
      ? `AADSTS${first}`
      : typeof body.error === "string" && /^[a-z_]{1,40}$/.test(body.error)
        ? body.error
        : `HTTP ${status}`;
  if (status === 429 || status >= 500) {
    return new ProviderError(
      status === 429 ? "throttled" : "unavailable",
      `The Microsoft identity platform answered ${status} when issuing a token; retrying.`,
      true,
      "GetToken",
      code,
    );
  }
  const hint = first !== undefined ? AADSTS_HINTS[first] : undefined;
  return new ProviderError(
    "auth",
    `Azure refused to issue a token for app ${o.clientId} in tenant ${o.tenantId} (${code})${hint ? `: ${hint}` : ""}.`,
    false,
    "GetToken",
    code,
  );
}
