/**
 * The browser-side policy of every page, set per request by the proxy (src/proxy.ts).
 *
 * Scripts: only those carrying this response's nonce (Next reads the nonce from the request's CSP
 * header and puts it on its own scripts: node_modules/next/dist/docs/01-app/02-guides/
 * content-security-policy.md), and what they load ('strict-dynamic'); no inline script an attacker
 * could inject. Styles keep 'unsafe-inline': React `style` props are style attributes, which nonces
 * cannot cover, and a style cannot run code.
 *
 * HSTS only when the deployment's base URL is https: sent over plain http it would be ignored, and a
 * deployment without TLS must not tell browsers otherwise.
 */
export function newNonce(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export function contentSecurityPolicy(nonce: string, opts: { dev: boolean }): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code for its error overlays; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

/** Two years, subdomains included: the commonly recommended value once a site is https-only. */
const HSTS = "max-age=63072000; includeSubDomains";

export const strictTransport = (baseUrl: string): Record<string, string> =>
  baseUrl.startsWith("https://") ? { "strict-transport-security": HSTS } : {};
