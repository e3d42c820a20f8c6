import { coverageMatrix } from "@parapet/core/coverage/coverage-matrix";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /coverage/matrix"), ({ caller, query }) => coverageMatrix(deps(), caller, query));
