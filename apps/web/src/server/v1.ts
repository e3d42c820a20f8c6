import "server-only";
import { parseEndpointAllowlist, type ConnectionDeps, type EgressAllowlist } from "@parapet/core/connections/create-connection";
import { env } from "@/env";
import { prisma } from "./clients";
import { keyring } from "./keys";
import { enqueueConnectionTask, previewImpact, requestImpact, requestPostureScan, requestReconcile } from "./queues";

/** What every /api/v1 use-case gets: the database, the queue producers, and the keyring (lazily). */
let allowlist: EgressAllowlist | undefined;

export function deps(): ConnectionDeps {
  allowlist ??= parseEndpointAllowlist(env().PARAPET_ENDPOINT_ALLOWLIST);
  return {
    prisma: prisma(),
    jobs: { requestReconcile, enqueueConnectionTask, requestImpact, requestPostureScan, previewImpact },
    keys: keyring,
    egressAllowlist: allowlist,
  };
}
