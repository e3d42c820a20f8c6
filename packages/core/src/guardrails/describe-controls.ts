import { z } from "zod";
import { getControl, listControls } from "../catalog/catalog.ts";
import type { TControl } from "../catalog/types.ts";
import { CLOUDS, scenariosOf } from "../catalog/types.ts";
import { notFound } from "../common/errors.ts";

const schemaCache = new Map<string, unknown>();

function paramsSchema(c: TControl): unknown {
  let s = schemaCache.get(c.id);
  if (s === undefined) {
    // "input": what a caller may send (defaults make fields optional).
    s = z.toJSONSchema(c.params, { io: "input", unrepresentable: "any" });
    schemaCache.set(c.id, s);
  }
  return s;
}

function controlSummary(c: TControl) {
  return {
    id: c.id,
    title: c.title,
    rationale: c.rationale,
    category: c.category,
    frameworks: c.frameworks,
    fidelity: Object.fromEntries(
      CLOUDS.map((cloud) => [cloud, { fidelity: c.clouds[cloud].fidelity, ...(c.clouds[cloud].gap ? { gap: c.clouds[cloud].gap } : {}) }]),
    ),
    paramsSchema: paramsSchema(c),
    defaults: c.params.parse({}),
  };
}

/** The built-in catalog as the API lists it. */
export function listCatalogControls() {
  return { items: listControls().map(controlSummary) };
}

/** One control with its scenarios (the guardrail's executable proof). */
export function getCatalogControl(id: string) {
  const c = getControl(id);
  if (!c) throw notFound("control", id.slice(0, 100));
  // Parameter-dependent scenarios are listed as the control's defaults produce them.
  return {
    ...controlSummary(c),
    scenarios: scenariosOf(c, c.params.parse({})).map((s) => ({ cloud: s.cloud, name: s.name, kind: s.kind })),
  };
}
