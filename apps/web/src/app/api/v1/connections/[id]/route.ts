import { ZDeleteConnectionQuery, ZUpdateConnectionInput } from "@parapet/core/connections/connections.schema";
import { deleteConnection } from "@parapet/core/connections/delete-connection";
import { getConnection } from "@parapet/core/connections/get-connection";
import { updateConnection } from "@parapet/core/connections/update-connection";
import { readJson, route } from "@/server/api";
import { accepted, deps, parseBody, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>(["connection", "read"], ({ caller, params }) => getConnection(deps(), caller, params.id));

/** 200 with the connection; 202 { approval, connection } when a principal change weakens protection (the other fields applied). */
export const PATCH = route<{ id: string }>(["connection", "write"], async ({ req, caller, params }) => {
  const input = await parseBody(req, ZUpdateConnectionInput, readJson);
  const out = await updateConnection(deps(), caller, params.id, input);
  return out.kind === "approval" ? accepted({ approval: out.approval, connection: out.connection }) : out.connection;
});

export const DELETE = route<{ id: string }>(["connection", "write"], async ({ req, caller, params }) => {
  const { confirm } = parseQuery(req, ZDeleteConnectionQuery);
  return deleteConnection(deps(), caller, params.id, confirm);
});
