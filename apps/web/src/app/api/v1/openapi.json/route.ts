import { openApiDocument } from "@parapet/core/openapi/document";
import { api } from "@parapet/core/openapi/routes";
import { publicRoute, reply } from "@/server/api";

export const dynamic = "force-dynamic";
/** The OpenAPI document is public: it describes the API, it holds no data. */
export const GET = publicRoute(api("GET /openapi.json"), async () =>
  reply(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } }),
);
