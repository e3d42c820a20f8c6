import { api } from "@parapet/core/openapi/routes";
import { listDenials } from "@parapet/core/denials/list-denials";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /denials"), ({ caller, query }) => listDenials(deps(), caller, query));
