import { revokeToken } from "@parapet/core/tokens/revoke-token";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const DELETE = route<{ id: string }>(["token", "manage"], ({ caller, params }) => revokeToken(deps(), caller, params.id));
