/** Resolves after `ms` milliseconds: backoffs, Retry-After waits and long-running-operation polls. */
export const sleep = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms));
