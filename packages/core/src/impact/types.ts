/**
 * Impact: which calls of a cloud's audit log a guardrail's compiled artifacts would have denied. One
 * evaluator per cloud, pure code beside the compilers it mirrors (catalog/compilers). The replay
 * service reads events through the adapter, asks the evaluator about each distinct request once, and
 * keeps aggregates plus a few samples.
 */
import type { AuditEvent, PrincipalFacts } from "@parapet/providers/contract";
import type { TCloud, TCompileContext, TFragmentByCloud } from "../catalog/types.ts";

/** What an evaluator decides about one event. */
export type TImpactVerdict =
  /** An artifact of the guardrail would have refused it; `by` names the statement/rule (Sid, policy, deny rule). */
  | { verdict: "denied"; by: string }
  | { verdict: "allowed" }
  /**
   * The entry lacks what the artifact tests (a context key not logged, a request body Azure does not
   * record, a group membership not readable). `reason` is a stable code the UI groups by
   * (`missing-context`, `no-request-body`, `unknown-principal`, `unsupported-action`…); `detail` says
   * what exactly, e.g. the missing key.
   */
  | { verdict: "unjudgeable"; reason: string; detail?: string };

/** A guardrail version as it would be enforced on one connection. */
export interface TImpactTarget<C extends TCloud = TCloud> {
  /** Compiled in `enforce` mode, whatever the guardrail's mode: the question is what enforce would do. */
  fragment: TFragmentByCloud[C];
  ctx: TCompileContext<C>;
}

/** A target prepared once (packed, parsed), then asked about many events. */
export interface TPreparedImpact {
  /**
   * Principals whose facts (`lookupPrincipals`) `judge` needs for this event, e.g. AWS when a statement
   * tests `aws:PrincipalTag/…` and the entry carries no session tags. Empty when none.
   */
  principalsNeedingFacts(event: AuditEvent): string[];
  /** Events with the same key get the same verdict, so replay judges each distinct request once. */
  dedupKey(event: AuditEvent): string;
  /** `facts` holds what `lookupPrincipals` answered for the ids asked; a missing id is "could not read". */
  judge(event: AuditEvent, facts: ReadonlyMap<string, PrincipalFacts>): Promise<TImpactVerdict>;
}

export interface TImpactEvaluator<C extends TCloud = TCloud> {
  cloud: C;
  prepare(target: TImpactTarget<C>): TPreparedImpact;
}
