import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { snapshotOr404 } from "@/server/reports";

export const dynamic = "force-dynamic";

/** The stored report model (JSON), exactly as it was rendered and sent. */
export const GET = route(api("GET /reports/{id}"), async ({ caller, params }) => {
  const s = await snapshotOr404(caller.workspaceId, params.id);
  return {
    id: s.id,
    periodStart: s.periodStart.toISOString(),
    periodEnd: s.periodEnd.toISOString(),
    createdAt: s.createdAt.toISOString(),
    model: s.model,
  };
});
