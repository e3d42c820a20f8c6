/**
 * The V8 flags every worker process runs with: its start script (apps/worker/package.json, which cannot
 * import this, so a test holds the two equal), the demo and test stack, and the worker children of the
 * fault suite and the benchmarks.
 *
 * A complement to the bounded batches in the reconcile pipeline (bench/RESULTS.md §11), not the fix for
 * what a run holds: they bound V8's slack, i.e. how much garbage and free space the heap may carry on top
 * of what is live. With V8's defaults a worker reconciling a 10,000-account org carried ~300 MiB of heap
 * for ~100–170 MiB live. No old-space cap (`--max-old-space-size`): the live set grows with the
 * organization, and a cap would turn a large org into an out-of-memory crash instead of a larger heap.
 *
 * - `--max-semi-space-size=8`: the young generation (two semi-spaces) stays at 16 MiB instead of growing
 *   to 64 MiB; short-lived garbage (SDK requests, query plans) is collected sooner.
 * - `--heap-growing-percent=50`: after a full collection the heap may grow to 1.5× what survived before
 *   the next one, instead of up to 4× (V8's factor for a fast-allocating process with a large limit).
 */
export const WORKER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=8", "--heap-growing-percent=50"];
