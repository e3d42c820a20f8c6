import { ZCreateConnectionInput } from "@parapet/core/connections/connections.schema";
import { createConnection } from "@parapet/core/connections/create-connection";
import { listConnections } from "@parapet/core/connections/list-connections";
import { readJson, route } from "@/server/api";
import { created, deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["connection", "read"], ({ caller }) => listConnections(deps(), caller));

export const POST = route(["connection", "write"], async ({ req, caller }) => {
  const input = await parseBody(req, ZCreateConnectionInput, readJson);
  return created(await createConnection(deps(), caller, input));
});
