import type { GcpCore } from "./core.ts";
import { notFound } from "./errors.ts";
import { constraintInfo } from "./orgpolicy-common.ts";
import type { Json } from "./wire.ts";

// ---------------------------------------------------------------- effective policy

type ListState = { kind: "allowAll" } | { kind: "denyAll" } | { kind: "values"; allowed: Set<string>; denied: Set<string> };

/**
 * Hierarchy evaluation, root first: a policy without inheritance replaces what is above, `reset` goes
 * back to the constraint default, list values merge (union of allowed and of denied values) when
 * inheriting, and for boolean constraints the lowest policy wins. Rules with conditions depend on tags
 * the simulator does not evaluate, so only unconditional rules take part.
 */
export function effectivePolicy(core: GcpCore, resource: string, constraintId: string): Json {
  const c = constraintInfo(core, constraintId);
  if (!c) throw notFound(`Constraint constraints/${constraintId} was not found.`);
  const chain = core.state.ancestry(resource);
  const name = `${resource}/policies/${constraintId}`;
  if (c.kind === "boolean") {
    let enforce = c.constraintDefault === "DENY";
    for (const node of chain) {
      const s = core.state.getPolicy(node, constraintId)?.spec;
      if (!s) continue;
      if (s.reset) enforce = c.constraintDefault === "DENY";
      else {
        const r = s.rules.find((x) => !x.condition);
        if (r?.enforce !== undefined) enforce = r.enforce;
      }
    }
    return { name, spec: { rules: [{ enforce }] } };
  }
  const dflt = (): ListState => (c.constraintDefault === "ALLOW" ? { kind: "allowAll" } : { kind: "denyAll" });
  let st: ListState = dflt();
  for (const node of chain) {
    const s = core.state.getPolicy(node, constraintId)?.spec;
    if (!s) continue;
    if (s.reset) {
      st = dflt();
      continue;
    }
    const rules = s.rules.filter((r) => !r.condition);
    if (rules.some((r) => r.denyAll)) {
      st = { kind: "denyAll" };
      continue;
    }
    if (rules.some((r) => r.allowAll)) {
      st = { kind: "allowAll" };
      continue;
    }
    const allowed = new Set<string>();
    const denied = new Set<string>();
    for (const r of rules) {
      for (const v of r.values?.allowedValues ?? []) allowed.add(v);
      for (const v of r.values?.deniedValues ?? []) denied.add(v);
    }
    if (s.inheritFromParent && st.kind === "values") {
      for (const v of st.allowed) allowed.add(v);
      for (const v of st.denied) denied.add(v);
    }
    if (rules.length === 0 && s.inheritFromParent) continue;
    st = { kind: "values", allowed, denied };
  }
  let rule: Json;
  if (st.kind === "allowAll") rule = { allowAll: true };
  else if (st.kind === "denyAll") rule = { denyAll: true };
  else {
    const values: Json = {};
    if (st.allowed.size) values.allowedValues = [...st.allowed].sort();
    if (st.denied.size) values.deniedValues = [...st.denied].sort();
    rule = { values };
  }
  return { name, spec: { rules: [rule] } };
}
