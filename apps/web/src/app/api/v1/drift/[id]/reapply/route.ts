import { reapplyDrift } from "@parapet/core/drift/reapply-drift";
import { route } from "@/server/api";
import { accepted, deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>(["drift", "remediate"], async ({ caller, params }) => accepted(await reapplyDrift(deps(), caller, params.id)));
