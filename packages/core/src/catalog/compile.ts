import { ZConnectionFacts, ZPrincipalClasses } from "./principals.ts";
import type { TCloud, TCompileContext, TControl, TFidelity, TFragmentByCloud, TGuardrailMode } from "./types.ts";

export class CatalogError extends Error {
  constructor(
    readonly code: "UNKNOWN_CONTROL" | "INVALID_PARAMS" | "INVALID_PRINCIPALS" | "INVALID_FACTS" | "COMPILE_FAILED",
    message: string,
    /** Field path of the offending input, for `file:line:col field: message` reporting. */
    readonly path: (string | number)[] = [],
    /** The message without the field path. */
    readonly reason: string = message,
  ) {
    super(message);
    this.name = "CatalogError";
  }
}

export interface TCompileInput<C extends TCloud> {
  cloud: C;
  mode: TGuardrailMode;
  workspaceId: string;
  guardrail: { id: string; version: number };
  /** Raw params: validated and defaulted with the control's schema. */
  params: unknown;
  /** Raw principal classes for this cloud: validated and defaulted. */
  principals: unknown;
  facts: unknown;
  targetLabels?: Readonly<Record<string, string>>;
  /**
   * Principals an approved exemption spares from this guardrail only, in this cloud's terms (checked
   * when the exemption was requested: exemptions/exempt-principal.ts). Spared like break-glass.
   */
  exemptPrincipals?: readonly string[];
}

export interface TCompiled<C extends TCloud> {
  controlId: string;
  cloud: C;
  fidelity: TFidelity;
  gap?: string;
  fragment: TFragmentByCloud[C];
}

function issuePath(e: { issues: { path: PropertyKey[]; message: string }[] }): { path: (string | number)[]; message: string } {
  const first = e.issues[0];
  return {
    path: (first?.path ?? []).map((p) => (typeof p === "number" ? p : String(p))),
    message: first?.message ?? "invalid",
  };
}

/** Parses a control's params (defaults applied); throws CatalogError naming the field. */
export function parseParams(control: TControl, params: unknown): unknown {
  const r = control.params.safeParse(params ?? {});
  if (!r.success) {
    const { path, message } = issuePath(r.error);
    throw new CatalogError("INVALID_PARAMS", `${control.id}: params.${path.join(".")}: ${message}`, ["params", ...path], message);
  }
  return r.data;
}

export function buildContext<C extends TCloud>(input: TCompileInput<C>): TCompileContext<C> {
  const pr = ZPrincipalClasses[input.cloud].safeParse(input.principals ?? {});
  if (!pr.success) {
    const { path, message } = issuePath(pr.error);
    throw new CatalogError(
      "INVALID_PRINCIPALS",
      `principals.${input.cloud}.${path.join(".")}: ${message}`,
      ["principals", input.cloud, ...path],
      message,
    );
  }
  const fr = ZConnectionFacts[input.cloud].safeParse(input.facts ?? {});
  if (!fr.success) {
    const { path, message } = issuePath(fr.error);
    throw new CatalogError("INVALID_FACTS", `facts.${input.cloud}.${path.join(".")}: ${message}`, ["facts", input.cloud, ...path], message);
  }
  return {
    cloud: input.cloud,
    mode: input.mode,
    workspaceId: input.workspaceId,
    guardrail: input.guardrail,
    principals: pr.data,
    facts: fr.data,
    exemptPrincipals: [...new Set(input.exemptPrincipals ?? [])].sort(),
    ...(input.targetLabels ? { targetLabels: input.targetLabels } : {}),
  } as unknown as TCompileContext<C>; // zod's per-cloud outputs form a union TS cannot narrow by C
}

/** Compiles one guardrail (a control + params) for one cloud. Pure and deterministic. */
export function compileControl<C extends TCloud>(control: TControl, input: TCompileInput<C>): TCompiled<C> {
  const params = parseParams(control, input.params);
  const ctx = buildContext(input);
  const compiler = control.clouds[input.cloud];
  let fragment: TFragmentByCloud[C];
  try {
    fragment = compiler.compile(params, ctx);
  } catch (e) {
    throw new CatalogError("COMPILE_FAILED", `${control.id} (${input.cloud}): ${(e as Error).message}`);
  }
  return {
    controlId: control.id,
    cloud: input.cloud,
    fidelity: compiler.fidelity,
    ...(compiler.gap ? { gap: compiler.gap } : {}),
    fragment,
  };
}
