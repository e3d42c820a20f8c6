import { getCatalogControl } from "@parapet/core/guardrails/describe-controls";
import { route } from "@/server/api";

export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>(["guardrail", "read"], async ({ params }) => getCatalogControl(params.id));
