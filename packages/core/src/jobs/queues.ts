/**
 * Queue names (kebab-case, never renamed once shipped) and the Redis key prefix that scopes them.
 * Every process of one deployment shares the prefix; tests and the demo use their own so they never
 * trample each other on a shared Redis.
 */
// Cloud events need no queue of their own: the event webhook requests a reconcile of the connection
// directly (the reconcile job collapses duplicates), so the old `events` and `apply` queues, which no
// worker consumed, are gone.
export const QUEUES = {
  discovery: "discovery",
  reconcile: "reconcile",
  reports: "reports",
  notifications: "notifications",
  /** Audit-log replays (would-have-blocked): long reads of the clouds' logs, kept off the discovery queue. */
  impact: "impact",
  /** Staged rollouts: the periodic step that advances or halts each running rollout. */
  rollouts: "rollouts",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const ALL_QUEUES: QueueName[] = Object.values(QUEUES);

/** BullMQ's `prefix` option (it appends its own ":" separator). */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}bull`;
}

/** Key under which each worker process publishes its heartbeat (with a TTL). */
export function heartbeatKey(redisPrefix: string, workerId: string): string {
  return `${redisPrefix}worker:heartbeat:${workerId}`;
}
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const HEARTBEAT_TTL_SEC = 15;
