/**
 * What a benchmark or test harness started on its own — a private redis-server or PostgreSQL cluster,
 * a web server child, a database created for the run — must not outlive it. Ctrl-C, `kill PID` and a
 * crash reach only the Node process: a daemonised PostgreSQL (pg_ctl) and a spawned redis-server kept
 * running after it (seen: a killed fault benchmark left its private redis-server up). Each resource
 * registers how to stop it here; on SIGINT/SIGTERM/SIGHUP every cleanup runs (async ones under a
 * deadline) and the process exits 128+signal; on any other exit — a failure, process.exit — the
 * synchronous ones still run.
 */
type Cleanup = { name: string; sync?: () => void; async?: () => Promise<unknown> };

const cleanups = new Set<Cleanup>();
let installed = false;
const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
const ASYNC_DEADLINE_MS = 10_000;

function runSync(): void {
  for (const c of [...cleanups].reverse()) {
    try {
      c.sync?.();
    } catch {
      // best effort: the process is on its way out
    }
  }
}

async function runAll(): Promise<void> {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  // Clients of a server being stopped emit errors nobody listens for any more ("Connection terminated
  // unexpectedly"); they must not crash the process before the rest is cleaned up.
  process.on("uncaughtException", () => undefined);
  // Async first (dropping a database on the shared server, deleting keys), while the private servers the
  // run's clients talk to are still up; then the kills.
  const timer = new Promise<void>((r) => setTimeout(r, ASYNC_DEADLINE_MS).unref());
  await Promise.race([Promise.allSettled(pending.map((c) => (c.async ? c.async() : Promise.resolve()))), timer]);
  for (const c of pending) {
    try {
      c.sync?.();
    } catch {
      // continue with the next one
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", runSync);
  for (const [signal, n] of Object.entries(SIGNALS)) {
    process.once(signal, () => {
      console.error(`interrupted (${signal}): stopping ${cleanups.size} private server(s) and process(es) this run started`);
      void runAll().finally(() => process.exit(128 + n));
    });
  }
}

/**
 * Registers a cleanup; returns the function that unregisters it (call it once the resource was
 * stopped the normal way). `sync` must be synchronous (a kill, a spawnSync): it also runs on exit.
 */
export function onInterrupt(name: string, how: { sync?: () => void; async?: () => Promise<unknown> }): () => void {
  install();
  const c: Cleanup = { name, ...how };
  cleanups.add(c);
  return () => void cleanups.delete(c);
}
