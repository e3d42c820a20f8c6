import { api } from "@parapet/core/openapi/routes";
import { resumeRollout } from "@parapet/core/rollouts/hold-rollout";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /guardrails/{id}/rollout/resume"), ({ caller, params, body }) =>
  resumeRollout(deps(), caller, params.id, body),
);
