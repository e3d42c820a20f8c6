/**
 * The part of @better-auth/sso 1.7.5's types core uses (see tsconfig.json for why the package's own
 * declarations are not read here). Shapes copied from its dist/index-*.d.mts (SSOOptions).
 */
import type { BetterAuthPlugin } from "better-auth";

export interface SSOOptionsSubset {
  domainVerification?: { enabled?: boolean; tokenPrefix?: string };
  organizationProvisioning?: { disabled?: boolean };
  resolveUser?: (input: never, context: never) => unknown;
  saml?: { enableInResponseToValidation?: boolean; requestTTL?: number; clockSkew?: number; allowIdpInitiated?: boolean };
}

export declare function sso(options?: SSOOptionsSubset): BetterAuthPlugin;
