import { bootstrapConnection } from "@parapet/core/connections/bootstrap-connection";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";
import { env } from "@/env";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /connections/bootstrap"), ({ caller, query }) =>
  bootstrapConnection(deps(), caller, query.cloud, env().PARAPET_AWS_PRINCIPAL_ARN),
);
