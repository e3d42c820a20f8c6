import { z } from "zod";
import { API_ROUTES, type ApiRoute } from "./routes.ts";

type Json = Record<string, unknown>;

const ERROR_SCHEMA: Json = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "requestId"],
      properties: {
        code: { type: "string" },
        message: { type: "string", description: "Starts with the offending field's name" },
        requestId: { type: "string", description: "The request's id, also in the x-request-id header; quote it when reporting a failure" },
        issues: { type: "array", items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } } } },
      },
    },
  },
};

/** Every answer names its request id (a caller's well-formed `x-request-id` is kept). */
const REQUEST_ID_HEADER: Json = {
  "x-request-id": { description: "This request's id, also in every error body as requestId", schema: { type: "string" } },
};

function jsonSchema(s: z.ZodType, io: "input" | "output"): Json {
  const out = z.toJSONSchema(s, { io, unrepresentable: "any", target: "openapi-3.0" }) as Json;
  delete out.$schema;
  return out;
}

function parameters(r: ApiRoute): Json[] {
  const params: Json[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string", maxLength: 64 },
  }));
  if (r.query) {
    const s = jsonSchema(r.query, "input");
    const props = (s.properties ?? {}) as Record<string, Json>;
    const required = new Set((s.required ?? []) as string[]);
    for (const [name, schema] of Object.entries(props)) params.push({ name, in: "query", required: required.has(name), schema });
  }
  return params;
}

/** Non-JSON answers: a streamed file, or a document the handler renders (the report's HTML and text). */
const PRODUCED: Record<NonNullable<ApiRoute["produces"]>, Json> = {
  "text/csv+jsonl": { "text/csv": {}, "application/x-ndjson": {} },
  "text/html": { "text/html": {}, "text/plain": {} },
};

/** The success answer: the route's response schema as it is on the wire (output side), and/or what it produces. */
function success(r: ApiRoute): Json {
  if (r.status === 204) return { description: "No content", headers: REQUEST_ID_HEADER };
  const content: Json = {
    ...(r.response ? { "application/json": { schema: jsonSchema(r.response, "output") } } : {}),
    ...(r.produces ? PRODUCED[r.produces] : {}),
  };
  return { description: r.response ? "OK" : "file", headers: REQUEST_ID_HEADER, content };
}

let cached: Json | undefined;

/** OpenAPI 3.0 document for /api/v1, generated from the route table's zod schemas. */
export function openApiDocument(): Json {
  if (cached) return cached;
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of API_ROUTES) {
    const op: Json = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      ...(r.public ? { security: [] } : {}),
      ...(r.permission ? { "x-permission": `${r.permission[0]}:${r.permission[1]}` } : {}),
      ...(r.changesNothing ? { "x-changes-nothing": true } : {}),
      parameters: parameters(r),
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body, "input") } } } } : {}),
      responses: {
        [String(r.status)]: success(r),
        ...Object.fromEntries(
          [
            ["400", "Malformed request"],
            ["401", "Not signed in / bad token"],
            ["403", "Role or token scope lacks the permission, or cross-site request"],
            ["404", "Not found (also another workspace's ids)"],
            ["409", "Conflict with the current state"],
            ["422", "Validation failed; the message names the field"],
          ].map(([code, description]) => [
            code,
            {
              description,
              headers: REQUEST_ID_HEADER,
              content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
            },
          ]),
        ),
      },
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  cached = {
    openapi: "3.0.3",
    info: {
      title: "Parapet API",
      version: "1",
      description:
        "Cloud architecture guardrails. Authenticate with a session cookie (same origin) or an API token sent as `x-api-key` or `Authorization: Bearer`. A token's scope limits it further: `read` calls GET routes only, `plan` also the routes marked x-changes-nothing, `apply` whatever its role allows.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ apiKey: [] }, { bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        bearer: { type: "http", scheme: "bearer" },
        session: { type: "apiKey", in: "cookie", name: "better-auth.session_token" },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
  return cached;
}
