/** Outbound connection policy for cloud connections: which hosts and addresses the SDKs may reach. */
export { blockedAddressReason, isIpLiteral } from "./addresses.ts";
export {
  ALLOWLIST_VARIABLE,
  AZURE_AUTHORITY_HOSTS,
  checkEndpointUrl,
  CLOUD_API_HOSTS,
  EMPTY_ALLOWLIST,
  isAllowlisted,
  isAzureAuthorityHost,
  isCloudApiHost,
  parseEgressAllowlist,
  type EgressAllowlist,
  type EgressCloud,
  type EndpointKind,
} from "./hosts.ts";
export { EgressGuard, EgressRefusedError, installGlobalEgressGuard, isEgressRefused, type EgressGuardOptions, type Resolver } from "./guard.ts";

import { EgressGuard as Guard } from "./guard.ts";
import { parseEgressAllowlist as parse } from "./hosts.ts";

/** For tests and benchmarks that build adapters by hand: the local simulators listen on 127.0.0.1. */
export function simulatorEgress(): Guard {
  return new Guard({ allowlist: parse("127.0.0.1") });
}
