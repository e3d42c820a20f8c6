import { NextResponse, type NextRequest } from "next/server";
import { API_ROUTES } from "@parapet/core/openapi/routes";
import { env } from "@/env";
import { contentSecurityPolicy, newNonce, strictTransport } from "@/security-headers";
import { REQUEST_ID_HEADER, requestIdOf } from "@/server/request-id";

/**
 * Pages: a fresh nonce per request in the Content-Security-Policy (request header, where Next picks
 * it up for its scripts, and response header), plus HSTS on an https deployment.
 */
function page(req: NextRequest) {
  const e = env();
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce, { dev: e.NODE_ENV === "development" });
  const headers = new Headers(req.headers);
  headers.set("content-security-policy", csp);
  headers.set("x-nonce", nonce);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  for (const [k, v] of Object.entries(strictTransport(e.PARAPET_BASE_URL))) res.headers.set(k, v);
  return res;
}

/**
 * Runs before Next routes an /api/v1 request, for the two answers Next would otherwise give itself in
 * a shape API clients cannot read: a malformed percent-encoding in the path (Next: a plain-text 500)
 * and a method the route does not serve (Next: a 405 with an empty body). Both become the API's JSON
 * error, naming what was wrong. Everything else passes through untouched.
 */
const TEMPLATES = [...new Set([...API_ROUTES.map((r) => r.path), "/events/{cloud}/{connectionId}"])].map((path) => ({
  path,
  params: (path.match(/\{/g) ?? []).length,
  pattern: new RegExp(`^/api/v1${path.replace(/\{\w+\}/g, "[^/]+")}$`),
  methods: path.startsWith("/events/") ? ["POST"] : API_ROUTES.filter((r) => r.path === path).map((r): string => r.method),
}));

/** The middleware answers these itself, so it gives them their request id (the route wrapper does the rest). */
const error = (req: NextRequest, status: number, code: string, message: string, headers: Record<string, string> = {}) => {
  const requestId = requestIdOf(req);
  return NextResponse.json({ error: { code, message, requestId } }, { status, headers: { ...headers, [REQUEST_ID_HEADER]: requestId } });
};

export function proxy(req: NextRequest) {
  const path = req.nextUrl.pathname;
  if (!path.startsWith("/api/")) return page(req);
  try {
    decodeURIComponent(path);
  } catch {
    return error(req, 400, "bad_request", "path: malformed percent-encoding", strictTransport(env().PARAPET_BASE_URL));
  }
  const hsts = strictTransport(env().PARAPET_BASE_URL);
  if (req.method === "HEAD" || req.method === "OPTIONS") return NextResponse.next({ headers: hsts });
  // The most specific template wins, as in Next's router (/connections/bootstrap before /connections/{id}).
  const match = TEMPLATES.filter((t) => t.pattern.test(path)).sort((a, b) => a.params - b.params)[0];
  if (match && !match.methods.includes(req.method)) {
    const allow = [...match.methods, ...(match.methods.includes("GET") ? ["HEAD"] : [])].join(", ");
    return error(req, 405, "method_not_allowed", `method: ${req.method.slice(0, 20)} is not allowed on ${match.path}; allowed: ${allow}`, {
      allow,
      ...hsts,
    });
  }
  return NextResponse.next({ headers: hsts });
}

export const config = {
  matcher: [
    "/api/v1/:path*",
    // Every page (not static files, not prefetches: those carry no HTML to protect).
    {
      source: "/((?!api|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
