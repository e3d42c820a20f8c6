import { openApiDocument } from "@parapet/core/openapi/document";

export const dynamic = "force-dynamic";
/** The OpenAPI document is public: it describes the API, it holds no data. */
export function GET() {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
