import { api } from "@parapet/core/openapi/routes";
import { deleteRule, updateRule } from "@parapet/core/notifications/manage";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const PATCH = route(api("PATCH /notifications/rules/{id}"), ({ caller, params, body }) =>
  updateRule(deps(), caller, params.id, body),
);
export const DELETE = route(api("DELETE /notifications/rules/{id}"), ({ caller, params }) => deleteRule(deps(), caller, params.id));
