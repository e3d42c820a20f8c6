import { requestManualReconcile } from "@parapet/core/connections/request-manual-reconcile";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /connections/{id}/reconcile"), ({ caller, params }) =>
  requestManualReconcile(deps(), caller, params.id),
);
