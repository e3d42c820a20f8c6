import { getDrift } from "@parapet/core/drift/get-drift";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>(["drift", "read"], ({ caller, params }) => getDrift(deps(), caller, params.id));
