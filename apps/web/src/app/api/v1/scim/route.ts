import { api } from "@parapet/core/openapi/routes";
import { getScim } from "@parapet/core/scim/scim-admin";
import { route } from "@/server/api";
import { scimDeps } from "@/server/scim";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /scim"), ({ caller }) => getScim(scimDeps(), caller));
