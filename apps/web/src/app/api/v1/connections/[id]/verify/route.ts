import { requestConnectionTask } from "@parapet/core/connections/request-connection-task";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /connections/{id}/verify"), ({ caller, params }) =>
  requestConnectionTask(deps(), caller, params.id, "verify"),
);
