import { api } from "@parapet/core/openapi/routes";
import { getNotificationSettings, updateNotificationSettings } from "@parapet/core/notifications/manage";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /notifications/settings"), ({ caller }) => getNotificationSettings(deps(), caller));
export const PATCH = route(api("PATCH /notifications/settings"), ({ caller, body }) => updateNotificationSettings(deps(), caller, body));
