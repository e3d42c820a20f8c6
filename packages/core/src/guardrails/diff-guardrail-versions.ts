import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { findGuardrail, findVersions } from "./guardrails.repository.ts";

interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

function flatten(prefix: string, v: unknown, out: Map<string, unknown>): void {
  if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(`${prefix}.${k}`, x, out);
  } else out.set(prefix, v);
}

/** Field-level differences between two versions (params and scope flattened to dotted paths). */
export async function diffGuardrailVersions(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string, from: number, to: number) {
  const g = await findGuardrail(deps.prisma, actor.workspaceId, id);
  if (!g) throw notFound("guardrail", id);
  const vs = await findVersions(deps.prisma, id, [from, to]);
  const a = vs.find((v) => v.version === from);
  const b = vs.find((v) => v.version === to);
  if (!a) throw notFound("version", String(from));
  if (!b) throw notFound("version", String(to));
  const fa = new Map<string, unknown>();
  const fb = new Map<string, unknown>();
  for (const [m, v] of [
    [fa, a],
    [fb, b],
  ] as const) {
    flatten("params", v.params, m);
    flatten("scope", v.scope, m);
    m.set("mode", v.mode);
    m.set("remediation", v.remediation);
    m.set("note", v.note);
  }
  const changes: FieldChange[] = [];
  for (const field of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const x = fa.get(field);
    const y = fb.get(field);
    if (JSON.stringify(x) !== JSON.stringify(y)) changes.push({ field, from: x ?? null, to: y ?? null });
  }
  return { guardrailId: id, from, to, changes };
}
