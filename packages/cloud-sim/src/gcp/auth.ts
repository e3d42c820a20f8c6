import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from "node:crypto";
import type { GcpState, ServiceAccount } from "./model.ts";
import { isObj } from "./wire.ts";

/** The JSON key file Google issues for a service account, with `token_uri` pointing at the simulator. */
export interface ServiceAccountKeyFile {
  type: "service_account";
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

const ISSUED_TTL_S = 3600;
const SKEW_MS = 5 * 60_000;

/**
 * Authenticates API callers: static bearer tokens registered per service account, access tokens issued by
 * the simulator's OAuth endpoint, and self-signed JWTs (what Google's client libraries send when given a
 * service-account key with a custom endpoint) verified against the account's registered public key.
 */
export class Authenticator {
  private tokenIndex = new Map<string, string>();
  private issued = new Map<string, { email: string; expires: number }>();
  private keyCache = new Map<string, KeyObject>();

  constructor(private state: () => GcpState) {}

  reindex(): void {
    this.tokenIndex.clear();
    this.keyCache.clear();
    for (const sa of this.state().serviceAccounts.values()) for (const t of sa.tokens) this.tokenIndex.set(t, sa.email);
  }

  principal(header: string | undefined): ServiceAccount | undefined {
    if (!header) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) return undefined;
    const token = m[1];
    const st = this.state();
    const staticEmail = this.tokenIndex.get(token);
    if (staticEmail) return st.serviceAccounts.get(staticEmail);
    const issued = this.issued.get(token);
    if (issued) {
      if (issued.expires < Date.now()) {
        this.issued.delete(token);
        return undefined;
      }
      return st.serviceAccounts.get(issued.email);
    }
    if (token.split(".").length === 3) {
      const claims = this.verifyJwt(token);
      if (claims && (typeof claims.scope === "string" || typeof claims.aud === "string")) {
        return st.serviceAccounts.get(claims.iss);
      }
    }
    return undefined;
  }

  /** Verifies an RS256 JWT signed by a registered service-account key; returns its claims or undefined. */
  verifyJwt(jwt: string): ({ iss: string } & Record<string, unknown>) | undefined {
    const [h, p, s] = jwt.split(".");
    if (!h || !p || !s) return undefined;
    let header: unknown;
    let payload: unknown;
    try {
      header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
      payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    } catch {
      return undefined;
    }
    if (!isObj(header) || !isObj(payload) || header.alg !== "RS256") return undefined;
    const iss = payload.iss;
    if (typeof iss !== "string") return undefined;
    const sa = this.state().serviceAccounts.get(iss);
    if (!sa) return undefined;
    const now = Date.now();
    if (typeof payload.exp !== "number" || payload.exp * 1000 < now - SKEW_MS) return undefined;
    if (typeof payload.iat === "number" && payload.iat * 1000 > now + SKEW_MS) return undefined;
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const candidates = kid && sa.keys[kid] ? [[kid, sa.keys[kid]] as const] : Object.entries(sa.keys);
    const signed = Buffer.from(`${h}.${p}`);
    const sig = Buffer.from(s, "base64url");
    for (const [id, pem] of candidates) {
      try {
        if (verify("RSA-SHA256", signed, this.key(`${sa.email}|${id}`, pem), sig)) return { ...payload, iss };
      } catch {
        // a malformed key or signature simply does not verify
      }
    }
    return undefined;
  }

  private key(cacheKey: string, pem: string): KeyObject {
    let k = this.keyCache.get(cacheKey);
    if (!k) {
      k = createPublicKey(pem);
      this.keyCache.set(cacheKey, k);
    }
    return k;
  }

  /**
   * OAuth 2.0 token endpoint for the JWT-bearer grant (RFC 7523), as google-auth-library's JWT client
   * (gtoken) uses it: form-encoded `grant_type` and `assertion`.
   */
  tokenEndpoint(body: string, contentType: string | undefined): { status: number; body: Record<string, unknown> } {
    let params: URLSearchParams;
    if (contentType?.includes("application/json")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      if (!isObj(parsed)) return { status: 400, body: { error: "invalid_request", error_description: "Malformed JSON body." } };
      params = new URLSearchParams(Object.entries(parsed).map(([k, v]): [string, string] => [k, String(v)]));
    } else params = new URLSearchParams(body);
    const grant = params.get("grant_type");
    if (grant !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return { status: 400, body: { error: "unsupported_grant_type", error_description: `Invalid grant_type: ${grant ?? ""}` } };
    }
    const assertion = params.get("assertion");
    const claims = assertion ? this.verifyJwt(assertion) : undefined;
    if (!claims) return { status: 400, body: { error: "invalid_grant", error_description: "Invalid JWT Signature." } };
    if (typeof claims.aud !== "string" || !/\/token$/.test(claims.aud)) {
      return {
        status: 400,
        body: {
          error: "invalid_grant",
          error_description:
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
        },
      };
    }
    const token = `ya29.sim-${randomBytes(24).toString("base64url")}`;
    this.issued.set(token, { email: claims.iss, expires: Date.now() + ISSUED_TTL_S * 1000 });
    if (this.issued.size > 100_000) {
      const first = this.issued.keys().next().value;
      if (first !== undefined) this.issued.delete(first);
    }
    return { status: 200, body: { access_token: token, expires_in: ISSUED_TTL_S - 1, token_type: "Bearer" } };
  }
}

/** Generates an RSA key pair for a service account; the public half is registered, the key file returned. */
export function generateKeyFile(sa: ServiceAccount, tokenUri: string, projectId: string): ServiceAccountKeyFile {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const keyId = randomBytes(20).toString("hex");
  sa.keys[keyId] = publicKey;
  return {
    type: "service_account",
    project_id: projectId,
    private_key_id: keyId,
    private_key: privateKey,
    client_email: sa.email,
    client_id: BigInt("0x" + randomBytes(9).toString("hex"))
      .toString()
      .slice(0, 21),
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: tokenUri,
    auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(sa.email)}`,
    universe_domain: "googleapis.com",
  };
}
