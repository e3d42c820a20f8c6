import type { NextConfig } from "next";

// Security headers for every response. The Content-Security-Policy (nonce-based) and HSTS are set
// per request by src/proxy.ts: a nonce must be fresh per response, and HSTS depends on the runtime
// base URL.
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Workspace packages export TypeScript source.
  transpilePackages: ["@parapet/core", "@parapet/db", "@parapet/providers"],
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "ioredis", "bullmq", "@cloud-copilot/iam-simulate", "@better-auth/sso"],
  // The README's test command type-checks apps/web in its own check step (tsc, strict) and sets this for
  // the build it makes for the journeys; every other build (demo, a developer's `next build`) checks types.
  typescript: { ignoreBuildErrors: process.env.PARAPET_WEB_TYPES_CHECKED === "1" },
  // Turbopack keeps a build cache on disk (on by default since Next 16.4) so the next build of this
  // checkout is faster. CI builds once in a fresh clone and throws the checkout away: writing the cache
  // there only costs time (53 s of one build under load).
  experimental: { turbopackFileSystemCacheForBuild: process.env.CI !== "true" },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};
export default config;
