import { listCatalogControls } from "@parapet/core/guardrails/describe-controls";
import { route } from "@/server/api";

export const dynamic = "force-dynamic";
export const GET = route(["guardrail", "read"], async () => listCatalogControls());
