import { api } from "@parapet/core/openapi/routes";
import { endMemberSessions } from "@parapet/core/sessions/sessions";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const DELETE = route(api("DELETE /members/{id}/sessions"), ({ caller, params }) => endMemberSessions(deps(), caller, params.id));
