import { ZDeleteConnectionQuery, ZUpdateConnectionInput } from "@parapet/core/connections/connections.schema";
import { deleteConnection } from "@parapet/core/connections/delete-connection";
import { getConnection } from "@parapet/core/connections/get-connection";
import { updateConnection } from "@parapet/core/connections/update-connection";
import { readJson, route } from "@/server/api";
import { deps, parseBody, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>(["connection", "read"], ({ caller, params }) => getConnection(deps(), caller, params.id));

export const PATCH = route<{ id: string }>(["connection", "write"], async ({ req, caller, params }) => {
  const input = await parseBody(req, ZUpdateConnectionInput, readJson);
  return updateConnection(deps(), caller, params.id, input);
});

export const DELETE = route<{ id: string }>(["connection", "write"], async ({ req, caller, params }) => {
  const { confirm } = parseQuery(req, ZDeleteConnectionQuery);
  return deleteConnection(deps(), caller, params.id, confirm);
});
