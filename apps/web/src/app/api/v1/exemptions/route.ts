import { listExemptions } from "@parapet/core/exemptions/list-exemptions";
import { requestExemption } from "@parapet/core/exemptions/request-exemption";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /exemptions"), ({ caller, query }) => listExemptions(deps(), caller, query.status));

export const POST = route(api("POST /exemptions"), ({ caller, body }) => requestExemption(deps(), caller, body));
