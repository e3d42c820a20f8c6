import { getCatalogControl } from "@parapet/core/guardrails/describe-controls";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /catalog/controls/{id}"), async ({ params }) => getCatalogControl(params.id));
