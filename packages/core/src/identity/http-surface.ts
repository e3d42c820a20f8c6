import type { BetterAuthPlugin } from "better-auth";

/**
 * What of better-auth answers over HTTP under /api/auth. better-auth mounts every endpoint of every
 * plugin: the organization plugin's invite-member / accept-invitation / update-member-role / create /
 * set-active …, the api-key plugin's create / update …, and the core's sign-up, change-email,
 * delete-user …. Parapet changes memberships and tokens only through its own use-cases (signed
 * invitation links, role checks, audit events, approvals), so those endpoints are a second, unchecked
 * door into the same tables (issue 22: a viewer became owner through accept-invitation; a viewer-scoped
 * token minted an owner key through api-key/create). Deny by default: only what the console's browser
 * code calls is exposed; everything else answers 404. The server keeps calling `auth.api.*` in-process
 * (invitation accept, token create, the demo seed), which no HTTP gate touches.
 *
 * Adding an entry needs a reason here and the allow-list test (apps/web/src/app/api/v1/_tests/
 * auth-surface.int.test.ts) enumerates every endpoint the auth instance defines, so a plugin upgrade
 * that adds one is caught there.
 *
 * better-auth's own `disabledPaths` option was not used for this: it is a deny-list (a new endpoint is
 * open until someone lists it), it compares exact strings, so parametrised paths (/callback/:id,
 * /reset-password/:token) cannot be listed, and before better-auth 1.4.5 it was bypassed with a doubled
 * slash (GHSA-x732-6j76-qmhm, https://osv.dev/vulnerability/GHSA-x732-6j76-qmhm).
 */
export const AUTH_HTTP_EXPOSED: ReadonlyArray<{ method: "GET" | "POST"; path: string; why: string }> = [
  { method: "POST", path: "/sign-in/email", why: "the login form (apps/web/src/app/login/login-form.tsx); rate-limited per IP" },
  { method: "POST", path: "/sign-out", why: "the console's sign-out button (apps/web/src/app/(console)/sign-out-button.tsx)" },
  {
    method: "POST",
    path: "/sign-in/sso",
    why: '"Continue with SSO" on the login page; the provider comes from the e-mail\'s verified domain only (sso-auth.ts)',
  },
  {
    method: "POST",
    path: "/two-factor/enable",
    why: "Settings → Security and /enrol-mfa: starts TOTP enrolment (password re-entered); answers the otpauth URI and recovery codes once",
  },
  {
    method: "POST",
    path: "/two-factor/verify-totp",
    why: "the login form's second step, and the first code that finishes enrolment; 5 tries per challenge, account lock after 10",
  },
  {
    method: "POST",
    path: "/two-factor/verify-backup-code",
    why: "the login form's second step with a recovery code (each code works once)",
  },
  {
    method: "POST",
    path: "/two-factor/generate-backup-codes",
    why: "Settings → Security: new recovery codes (password re-entered); the old ones stop working",
  },
  {
    method: "POST",
    path: "/two-factor/disable",
    why: "Settings → Security: turn the second factor off (password re-entered; refused when a workspace requires MFA, mfa-auth.ts)",
  },
  { method: "GET", path: "/sso/callback/:providerId", why: "where the OIDC identity provider sends the browser back with its code" },
  { method: "POST", path: "/sso/saml2/sp/acs/:providerId", why: "where the SAML identity provider posts its signed response" },
];

/** A `:param` segment matches one path segment of safe characters (provider ids are [a-z0-9-]). */
function pathMatches(pattern: string, path: string): boolean {
  const want = pattern.split("/");
  const got = path.split("/");
  return (
    want.length === got.length &&
    want.every((seg, i) => (seg.startsWith(":") ? /^[A-Za-z0-9_-]{1,64}$/.test(got[i] ?? "") : seg === got[i]))
  );
}

const AUTH_BASE_PATH = "/api/auth";

/**
 * Whether a request to the auth handler may reach better-auth: its method and its exact path (no
 * trailing or doubled slash, no percent-encoding, no other case) must be listed. Anything else,
 * including paths that better-auth's router would normalise onto a listed one, is refused.
 */
export function isExposedAuthRequest(method: string, url: string): boolean {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return false;
  }
  if (!pathname.startsWith(`${AUTH_BASE_PATH}/`)) return false;
  const path = pathname.slice(AUTH_BASE_PATH.length);
  return AUTH_HTTP_EXPOSED.some((e) => e.method === method.toUpperCase() && pathMatches(e.path, path));
}

export const notExposed = () => Response.json({ message: "Not Found" }, { status: 404 });

/**
 * The same allow-list inside the auth instance (better-auth runs plugin onRequest hooks for every HTTP
 * request its handler routes, before any endpoint or hook): whoever mounts `auth.handler`, a closed
 * endpoint stays closed. In-process `auth.api.*` calls do not pass through here.
 */
export function httpAllowList(): BetterAuthPlugin {
  return {
    id: "parapet-http-allow-list",
    onRequest: (request) => Promise.resolve(isExposedAuthRequest(request.method, request.url) ? undefined : { response: notExposed() }),
  };
}
