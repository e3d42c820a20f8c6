import { getSettings } from "@parapet/core/settings/get-settings";
import { ZUpdateSettingsInput } from "@parapet/core/settings/settings.schema";
import { updateSettings } from "@parapet/core/settings/update-settings";
import { readJson, route } from "@/server/api";
import { deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["settings", "read"], ({ caller }) => getSettings(deps(), caller));

export const PATCH = route(["settings", "write"], async ({ req, caller }) => updateSettings(deps(), caller, await parseBody(req, ZUpdateSettingsInput, readJson)));
