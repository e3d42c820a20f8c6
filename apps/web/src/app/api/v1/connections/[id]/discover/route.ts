import { requestConnectionTask } from "@parapet/core/connections/request-connection-task";
import { route } from "@/server/api";
import { accepted, deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>(["connection", "write"], async ({ caller, params }) => accepted(await requestConnectionTask(deps(), caller, params.id, "discover")));
