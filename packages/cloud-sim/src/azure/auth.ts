import { randomBytes, randomUUID } from "node:crypto";
import { ArmError } from "./errors.ts";
import { BUILT_IN_ROLES, type AppRegistration, type IssuedToken, type RoleGrant } from "./model.ts";
import { parseScope, scopeKey } from "./scope.ts";

/** Real Contributor can do everything except manage access; the simulator keeps that carve-out. */
const BUILT_IN_NOT_ACTIONS: Record<string, string[]> = {
  Contributor: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"],
};

const patternCache = new Map<string, RegExp>();
function matches(pattern: string, action: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(
      "^" +
        pattern
          .split("*")
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*") +
        "$",
      "i",
    );
    patternCache.set(pattern, re);
  }
  return re.test(action);
}

function grantAllows(g: RoleGrant, action: string): boolean {
  const actions = [...(g.role ? (BUILT_IN_ROLES[g.role] ?? []) : []), ...(g.actions ?? [])];
  const notActions = [...(g.role ? (BUILT_IN_NOT_ACTIONS[g.role] ?? []) : []), ...(g.notActions ?? [])];
  return actions.some((a) => matches(a, action)) && !notActions.some((a) => matches(a, action));
}

/**
 * RBAC check: a grant applies when its scope is "/" or lies on the target's chain (the target scope and
 * its ancestors). Throws ARM's 403 AuthorizationFailed naming the action and scope.
 */
export function authorize(app: AppRegistration, action: string, chain: string[], scopeForMessage: string): void {
  const ok = app.grants.some((g) => {
    if (g.scope !== "/") {
      const s = parseScope(g.scope);
      if (!s || !chain.includes(scopeKey(s))) return false;
    }
    return grantAllows(g, action);
  });
  if (!ok) {
    throw new ArmError(
      403,
      "AuthorizationFailed",
      `The client '${app.appId}' with object id '${app.objectId}' does not have authorization to perform action '${action}' over scope '${scopeForMessage}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
}

export class TokenStore {
  private tokens = new Map<string, IssuedToken>();

  issue(appId: string, lifetimeSec = 3599, token?: string): { token: string; expiresAt: number } {
    const t = token ?? fakeJwt(appId);
    const expiresAt = Date.now() + lifetimeSec * 1000;
    this.tokens.set(t, { appId, expiresAt });
    return { token: t, expiresAt };
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  /** Resolves a bearer token to its app id, or throws ARM's 401 shapes. */
  check(header: string | undefined, tenantId: string, authority: string): string {
    const challenge = (err: string, desc: string): Record<string, string> => ({
      "www-authenticate": `Bearer authorization_uri="${authority}/${tenantId}", error="${err}", error_description="${desc}"`,
    });
    if (!header) {
      throw new ArmError(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing.",
        challenge("invalid_token", "The authentication failed because of missing 'Authorization' header."),
      );
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      throw new ArmError(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        challenge("invalid_token", "The authentication failed because of an invalid 'Authorization' header."),
      );
    }
    const t = this.tokens.get(m[1]!);
    if (!t)
      throw new ArmError(
        401,
        "InvalidAuthenticationToken",
        "The access token is invalid.",
        challenge("invalid_token", "The access token is invalid."),
      );
    if (t.expiresAt <= Date.now()) {
      this.tokens.delete(m[1]!);
      throw new ArmError(
        401,
        "ExpiredAuthenticationToken",
        "The access token expiry UTC time is earlier than current UTC time.",
        challenge("invalid_token", "The access token has expired."),
      );
    }
    return t.appId;
  }
}

function b64url(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString("base64url");
}

/** JWT-shaped opaque token (clients never validate ARM tokens; the simulator looks them up). */
function fakeJwt(appId: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64url({ typ: "JWT", alg: "none" })}.${b64url({ aud: "https://management.azure.com/", appid: appId, iat: now, exp: now + 3600, jti: randomUUID() })}.${randomBytes(24).toString("base64url")}`;
}

interface AadError {
  status: number;
  body: Record<string, unknown>;
}

function aadError(status: number, error: string, code: number, description: string): AadError {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    },
  };
}

function decodeAssertion(jwt: string): Record<string, unknown> | undefined {
  const parts = jwt.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const v = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Microsoft identity platform v2 client-credentials grant: client_secret, or client_assertion for
 * workload identity federation (the assertion's iss/sub/aud must match a registered federated
 * credential; its signature is not verified because the simulator has no issuer keys).
 */
export function tokenGrant(
  tenantId: string,
  form: URLSearchParams,
  apps: Map<string, AppRegistration>,
  store: TokenStore,
): { status: number; body: Record<string, unknown> } {
  if (form.get("grant_type") !== "client_credentials") {
    return aadError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
  }
  const clientId = form.get("client_id") ?? "";
  const app = apps.get(clientId.toLowerCase());
  if (!app || app.tenantId.toLowerCase() !== tenantId.toLowerCase()) {
    return aadError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`,
    );
  }
  const scope = form.get("scope") ?? "";
  if (!/\/\.default$/.test(scope)) {
    return aadError(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const secret = form.get("client_secret");
  const assertion = form.get("client_assertion");
  if (secret !== null) {
    if (!app.secrets.includes(secret)) {
      return aadError(
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
      );
    }
  } else if (assertion !== null) {
    if (form.get("client_assertion_type") !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
      return aadError(400, "invalid_request", 50027, "Invalid client_assertion_type.");
    }
    const claims = decodeAssertion(assertion);
    if (!claims) return aadError(401, "invalid_client", 50027, "JWT token is invalid or malformed.");
    if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) {
      return aadError(400, "invalid_client", 700024, "Client assertion is not within its valid time range.");
    }
    const match = app.federated.find(
      (f) =>
        f.issuer === claims.iss &&
        f.subject === claims.sub &&
        (claims.aud === (f.audience ?? "api://AzureADTokenExchange") ||
          (Array.isArray(claims.aud) && claims.aud.includes(f.audience ?? "api://AzureADTokenExchange"))),
    );
    if (!match) {
      return aadError(
        400,
        "invalid_client",
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${String(claims.iss)}'. Assertion Subject: '${String(claims.sub)}'.`,
      );
    }
  } else {
    return aadError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const { token } = store.issue(app.appId);
  return { status: 200, body: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token } };
}
