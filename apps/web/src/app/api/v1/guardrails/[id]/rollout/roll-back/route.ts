import { api } from "@parapet/core/openapi/routes";
import { rollBackRollout } from "@parapet/core/rollouts/roll-back-rollout";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /guardrails/{id}/rollout/roll-back"), ({ caller, params, body }) =>
  rollBackRollout(deps(), caller, params.id, body),
);
