import { deleteConnection } from "@parapet/core/connections/delete-connection";
import { getConnection } from "@parapet/core/connections/get-connection";
import { updateConnection } from "@parapet/core/connections/update-connection";
import { api } from "@parapet/core/openapi/routes";
import { reply, route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /connections/{id}"), ({ caller, params }) => getConnection(deps(), caller, params.id));

/** 200 with the connection; 202 { approval, connection } when a principal change weakens protection (the other fields applied). */
export const PATCH = route(api("PATCH /connections/{id}"), async ({ caller, params, body }) => {
  const out = await updateConnection(deps(), caller, params.id, body);
  return out.kind === "approval" ? reply({ approval: out.approval, connection: out.connection }, { status: 202 }) : out.connection;
});

export const DELETE = route(api("DELETE /connections/{id}"), ({ caller, params, query }) =>
  deleteConnection(deps(), caller, params.id, query.confirm),
);
