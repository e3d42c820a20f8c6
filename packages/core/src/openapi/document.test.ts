import { describe, expect, it } from "vitest";
import { z } from "zod";
import { openApiDocument } from "./document.ts";
import { API, API_ROUTES } from "./routes.ts";

type Json = Record<string, unknown>;
const doc = openApiDocument() as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Json }> }> }>>;
};

/** A schema that says something: not `{}` and not an object without properties. */
function nonTrivial(s: Json | undefined): boolean {
  if (!s || Object.keys(s).length === 0) return false;
  if (s.type === "object")
    return Object.keys((s.properties as Json | undefined) ?? {}).length > 0 || typeof s.additionalProperties === "object";
  if (s.type === "array") return nonTrivial(s.items as Json);
  for (const k of ["anyOf", "oneOf", "allOf"] as const) if (Array.isArray(s[k])) return (s[k] as Json[]).every(nonTrivial);
  return typeof s.type === "string";
}

describe("OpenAPI document", () => {
  it("has every route of the table, each key naming its own method and path", () => {
    for (const [key, r] of Object.entries(API)) {
      expect(key).toBe(`${r.method} ${r.path}`);
      expect(doc.paths[r.path]?.[r.method.toLowerCase()], key).toBeDefined();
    }
  });

  it("every JSON answer has a real schema (generated from the route's response schema)", () => {
    let checked = 0;
    for (const r of API_ROUTES) {
      const ok = doc.paths[r.path]![r.method.toLowerCase()]!.responses[String(r.status)]!;
      if (r.status === 204) {
        expect(ok.content, `${r.method} ${r.path}`).toBeUndefined();
        continue;
      }
      const json = ok.content?.["application/json"];
      if (!r.response) {
        // Files and documents only: no JSON description, and something else instead.
        expect(json, `${r.method} ${r.path}`).toBeUndefined();
        expect(r.produces, `${r.method} ${r.path} has neither a response schema nor produces`).toBeDefined();
        continue;
      }
      expect(nonTrivial(json?.schema), `${r.method} ${r.path}: ${JSON.stringify(json?.schema)?.slice(0, 200)}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(60);
  });

  it("describes the wire: ISO instants as date-time strings, enums as enums, nullables as nullable", () => {
    const guardrail = doc.paths["/guardrails/{id}"]!.get!.responses["200"]!.content!["application/json"]!.schema as {
      properties: Record<string, Json>;
    };
    expect(guardrail.properties.updatedAt).toMatchObject({ type: "string", format: "date-time" });
    expect(guardrail.properties.status).toMatchObject({ type: "string", enum: ["active", "disabled", "deleted"] });
    expect(guardrail.properties.pendingApproval).toMatchObject({ type: "string", nullable: true });
    // The matrix's cells are checked by a fast custom check; the document still says what they are.
    const matrix = doc.paths["/coverage/matrix"]!.get!.responses["200"]!.content!["application/json"]!.schema as {
      properties: { items: { items: { properties: { cells: Json } } } };
    };
    expect(matrix.properties.items.items.properties.cells).toMatchObject({
      type: "array",
      items: { type: "integer", nullable: true, minimum: 0, maximum: 6 },
    });
  });

  it("response schemas accept what handlers hand over and send the wire form", () => {
    const out = API["GET /guardrails/{id}/diff"].response.parse({
      guardrailId: "g1",
      from: 1,
      to: 2,
      changes: [{ field: "mode", from: "audit", to: "enforce" }],
      extra: "dropped",
    });
    expect(out).toEqual({ guardrailId: "g1", from: 1, to: 2, changes: [{ field: "mode", from: "audit", to: "enforce" }] });
    expect(API["GET /drift"].response.safeParse({ items: [], nextCursor: 1 }).success).toBe(false);
    expect(z.toJSONSchema(API["GET /me"].response, { io: "output" })).toMatchObject({ type: "object" });
    const cells = API["GET /coverage/matrix"].response;
    const row = (c: unknown) => ({
      guardrails: [],
      statuses: ["enforced", "audit", "exempt", "drifted", "unsupported", "unknown", "pending"],
      items: [{ node: { id: "n", name: "n", externalId: "1", connectionId: "c", path: [], parentId: null }, cells: c, posture: {} }],
      nextCursor: null,
    });
    expect(cells.safeParse(row([0, null, 3, 6])).success).toBe(true);
    expect(cells.safeParse(row([])).success).toBe(true);
    expect(cells.safeParse(row([0, 7])).success).toBe(false);
    expect(cells.safeParse(row([-1])).success).toBe(false);
    expect(cells.safeParse(row([1.5])).success).toBe(false);
    expect(cells.safeParse(row(["enforced"])).success).toBe(false);
    expect(cells.safeParse(row({ g1: "enforced" })).success).toBe(false);
  });
});
