import { revokeExemption } from "@parapet/core/exemptions/revoke-exemption";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>(["exemption", "request"], ({ caller, params }) => revokeExemption(deps(), caller, params.id));
