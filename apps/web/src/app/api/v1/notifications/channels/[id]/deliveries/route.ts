import { api } from "@parapet/core/openapi/routes";
import { listDeliveries } from "@parapet/core/notifications/manage";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /notifications/channels/{id}/deliveries"), ({ caller, params, query }) =>
  listDeliveries(deps(), caller, params.id, query),
);
