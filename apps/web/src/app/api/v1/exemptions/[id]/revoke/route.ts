import { revokeExemption } from "@parapet/core/exemptions/revoke-exemption";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route(api("POST /exemptions/{id}/revoke"), ({ caller, params }) => revokeExemption(deps(), caller, params.id));
