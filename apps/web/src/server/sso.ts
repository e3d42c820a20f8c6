import "server-only";
import { resolveTxt } from "node:dns/promises";
import { expectedTxtValues, type ResolveTxt, type SsoDeps } from "@parapet/core/sso/sso";
import { env } from "@/env";
import { prisma } from "./clients";

/**
 * The DNS lookup of SSO domain verification. PARAPET_SSO_DNS_OVERRIDE (tests, demos; never in
 * production) names domains whose TXT record is taken as published: the lookup answers with the value
 * the provider expects, read from its row, so everything after the lookup runs as it would for real.
 */
function txtLookup(): ResolveTxt {
  const e = env();
  const overridden =
    e.NODE_ENV === "production"
      ? []
      : e.PARAPET_SSO_DNS_OVERRIDE.split(",")
          .map((d) => d.trim().toLowerCase())
          .filter(Boolean);
  return async (name) => {
    const domain = name.replace(/^_parapet-sso\./, "");
    if (overridden.includes(domain)) {
      return (await expectedTxtValues(prisma(), domain)).map((v) => [v]);
    }
    return resolveTxt(name);
  };
}

export function ssoDeps(): SsoDeps {
  return { prisma: prisma(), baseURL: env().PARAPET_BASE_URL, resolveTxt: txtLookup() };
}
