import type { CallRecorder } from "../contract/instrumentation.ts";
import type {
  ApplyResult,
  Change,
  CloudAdapter,
  CloudId,
  DesiredArtifact,
  Difference,
  Hierarchy,
  NodeRead,
  ObservedArtifact,
  ObservedState,
  ObserveRequest,
  VerifyResult,
} from "../contract/types.ts";

/**
 * One cloud's capabilities as plain functions over its connection context (the parsed config,
 * clients and call plumbing). Each capability lives in its own file under the cloud's folder.
 */
export interface AdapterCapabilities<C> {
  cloud: CloudId;
  verify(ctx: C): Promise<VerifyResult>;
  discover(ctx: C): Promise<Hierarchy>;
  /** Targeted reads by node id, where the cloud's events name nodes (see CloudAdapter.discoverNodes). */
  discoverNodes?(ctx: C, externalIds: readonly string[]): Promise<NodeRead[]>;
  observe(ctx: C, req: ObserveRequest): Promise<ObservedState>;
  apply(ctx: C, change: Change): Promise<ApplyResult>;
  compare(ctx: C, desired: DesiredArtifact, observed: ObservedArtifact): Difference;
  /** Where the context records its API calls. */
  recorder(ctx: C): CallRecorder;
  close(ctx: C): Promise<void>;
}

/** The CloudAdapter contract over one connection context: the thin adapter every cloud exposes. */
export function composeAdapter<C>(ctx: C, caps: AdapterCapabilities<C>): CloudAdapter {
  return {
    cloud: caps.cloud,
    verify: () => caps.verify(ctx),
    discover: () => caps.discover(ctx),
    ...(caps.discoverNodes ? { discoverNodes: (ids: readonly string[]) => caps.discoverNodes!(ctx, ids) } : {}),
    observe: (req) => caps.observe(ctx, req),
    apply: (change) => caps.apply(ctx, change),
    compare: (desired, observed) => caps.compare(ctx, desired, observed),
    stats: () => caps.recorder(ctx).stats(),
    resetStats: () => caps.recorder(ctx).reset(),
    close: () => caps.close(ctx),
  };
}
