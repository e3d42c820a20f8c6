import { getConnectionPreview } from "@parapet/core/connections/get-connection-preview";
import { requestConnectionTask } from "@parapet/core/connections/request-connection-task";
import { route } from "@/server/api";
import { accepted, deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>(["connection", "read"], ({ caller, params }) => getConnectionPreview(deps(), caller, params.id));

export const POST = route<{ id: string }>(["guardrail", "write"], async ({ caller, params }) => accepted(await requestConnectionTask(deps(), caller, params.id, "preview")));
