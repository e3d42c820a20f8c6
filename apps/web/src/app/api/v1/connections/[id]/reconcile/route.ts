import { requestManualReconcile } from "@parapet/core/connections/request-manual-reconcile";
import { route } from "@/server/api";
import { accepted, deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>(["drift", "remediate"], async ({ caller, params }) => accepted(await requestManualReconcile(deps(), caller, params.id)));
