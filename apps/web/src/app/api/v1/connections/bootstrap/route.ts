import { bootstrapConnection } from "@parapet/core/connections/bootstrap-connection";
import { ZBootstrapQuery } from "@parapet/core/connections/connections.schema";
import { route } from "@/server/api";
import { deps, parseQuery } from "@/server/v1";
import { env } from "@/env";

export const dynamic = "force-dynamic";
export const GET = route(["connection", "read"], async ({ req, caller }) => {
  const { cloud } = parseQuery(req, ZBootstrapQuery);
  return bootstrapConnection(deps(), caller, cloud, env().PARAPET_AWS_PRINCIPAL_ARN);
});
