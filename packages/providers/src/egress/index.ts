/** Outbound connection policy for cloud connections: which hosts and addresses the SDKs may reach. */
export { checkEndpointUrl, EMPTY_ALLOWLIST, parseEgressAllowlist, type EgressAllowlist } from "./hosts.ts";
export { EgressGuard, installGlobalEgressGuard, isEgressRefused, type Resolver } from "./guard.ts";

import { EgressGuard as Guard } from "./guard.ts";
import { parseEgressAllowlist as parse } from "./hosts.ts";

/** For tests and benchmarks that build adapters by hand: the local simulators listen on 127.0.0.1. */
export function simulatorEgress(): Guard {
  return new Guard({ allowlist: parse("127.0.0.1") });
}
