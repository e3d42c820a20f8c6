/**
 * Finding 8 of issue 22: pages allowed inline scripts ('unsafe-inline') and an https deployment sent
 * no HSTS. The proxy (src/proxy.ts, what Next runs before every page) now sets a nonce-based policy.
 */
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { BASE_URL } from "./harness.ts";
import { contentSecurityPolicy, strictTransport } from "@/security-headers";

const scriptSrc = (csp: string | null) =>
  csp
    ?.split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith("script-src")) ?? "";

describe("page security headers", () => {
  it("give every page response a fresh script nonce and no inline-script allowance, and hand the nonce to Next's renderer", async () => {
    const { proxy } = await import("@/proxy");
    const nonces = new Set<string>();
    for (const path of ["/", "/login", "/invite", "/settings"]) {
      const res = proxy(new NextRequest(`${BASE_URL}${path}`));
      const csp = res.headers.get("content-security-policy");
      const script = scriptSrc(csp);
      expect(script).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'$/);
      expect(script).not.toContain("unsafe-inline");
      nonces.add(/'nonce-([^']+)'/.exec(script)![1]!);
      // The same policy reaches the page renderer as a request header (Next takes the nonce from it).
      expect(res.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
      expect(csp).toContain("frame-ancestors 'none'");
      // http deployment (the test's base URL): no HSTS.
      expect(res.headers.get("strict-transport-security")).toBeNull();
    }
    expect(nonces.size).toBe(4);
    // API routes keep their JSON answers (no page policy there).
    const api = proxy(new NextRequest(`${BASE_URL}/api/v1/me`, { method: "PUT" }));
    expect(api.status).toBe(405);
  });

  it("add HSTS exactly when the base URL is https", () => {
    expect(strictTransport("https://parapet.example.com")).toEqual({ "strict-transport-security": "max-age=63072000; includeSubDomains" });
    expect(strictTransport("http://127.0.0.1:3000")).toEqual({});
    expect(contentSecurityPolicy("abc", { dev: true })).toContain("'unsafe-eval'");
    expect(contentSecurityPolicy("abc", { dev: false })).not.toContain("'unsafe-eval'");
  });
});
