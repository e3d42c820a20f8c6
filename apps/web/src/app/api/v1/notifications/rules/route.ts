import { api } from "@parapet/core/openapi/routes";
import { createRule, listRules } from "@parapet/core/notifications/manage";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /notifications/rules"), ({ caller }) => listRules(deps(), caller));
export const POST = route(api("POST /notifications/rules"), ({ caller, body }) => createRule(deps(), caller, body));
