import { api } from "@parapet/core/openapi/routes";
import { getSettings } from "@parapet/core/settings/get-settings";
import { updateSettings } from "@parapet/core/settings/update-settings";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /settings"), ({ caller }) => getSettings(deps(), caller));

export const PATCH = route(api("PATCH /settings"), ({ caller, body }) => updateSettings(deps(), caller, body));
