import { getConnectionPreview } from "@parapet/core/connections/get-connection-preview";
import { requestConnectionTask } from "@parapet/core/connections/request-connection-task";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /connections/{id}/preview"), ({ caller, params }) => getConnectionPreview(deps(), caller, params.id));

export const POST = route(api("POST /connections/{id}/preview"), ({ caller, params }) =>
  requestConnectionTask(deps(), caller, params.id, "preview"),
);
