export const dynamic = "force-dynamic";

/**
 * Any /api/v1 path no route file serves: a JSON 404 like every other API error, instead of the
 * console's HTML not-found page (API clients parse the body). Specific routes always win over this one.
 */
function notFound(): Response {
  return Response.json({ error: { code: "not_found", message: "path: no such API route (see /api/v1/openapi.json)" } }, { status: 404 });
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
