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
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "ioredis", "bullmq", "@cloud-copilot/iam-simulate"],
  typescript: { ignoreBuildErrors: false },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};
export default config;
