import { api } from "@parapet/core/openapi/routes";
import { testChannel } from "@parapet/core/notifications/manage";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /notifications/channels/{id}/test"), ({ caller, params }) => testChannel(deps(), caller, params.id));
