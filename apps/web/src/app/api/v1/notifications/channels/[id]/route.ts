import { api } from "@parapet/core/openapi/routes";
import { deleteChannel, updateChannel } from "@parapet/core/notifications/manage";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const PATCH = route(api("PATCH /notifications/channels/{id}"), ({ caller, params, body }) =>
  updateChannel(deps(), caller, params.id, body),
);
export const DELETE = route(api("DELETE /notifications/channels/{id}"), ({ caller, params }) => deleteChannel(deps(), caller, params.id));
