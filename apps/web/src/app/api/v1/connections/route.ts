import { createConnection } from "@parapet/core/connections/create-connection";
import { listConnections } from "@parapet/core/connections/list-connections";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /connections"), ({ caller }) => listConnections(deps(), caller));

export const POST = route(api("POST /connections"), ({ caller, body }) => createConnection(deps(), caller, body));
