import { api } from "@parapet/core/openapi/routes";
import { holdRollout } from "@parapet/core/rollouts/hold-rollout";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /guardrails/{id}/rollout/hold"), ({ caller, params, body }) =>
  holdRollout(deps(), caller, params.id, body),
);
