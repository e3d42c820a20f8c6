import pg from "pg";

/**
 * A node-postgres pool that takes back connections the database closed while they were checked out.
 *
 * Prisma 6.19's interactive transactions release their connection only after ROLLBACK/COMMIT succeeds;
 * when the database goes away mid-transaction (restart, failover, a killed backend) that statement
 * fails, the release never happens, and the pool keeps counting a dead connection as busy. After
 * `max` such blips every query waits for a free connection forever (seen in the fault suite's
 * PostgreSQL restart). Here a checked-out connection that ends is released with its error, which
 * removes it from the pool; a later release by its borrower is ignored.
 */
export class SelfHealingPool extends pg.Pool {
  constructor(config?: pg.PoolConfig) {
    super(config);
    // An idle connection the database closes (restart, failover, idle timeout, a killed backend) is
    // re-emitted by pg-pool as the pool's "error" event, which throws in the process when nobody listens
    // and takes a worker or web process down. The pool has already dropped that connection and the next
    // query opens a fresh one; a real outage surfaces there as a query error, so nothing is lost here.
    this.on("error", () => undefined);
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(
    callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<pg.PoolClient> | void {
    const p = super.connect().then((client) => guard(client));
    if (!callback) return p;
    p.then(
      (client) => callback(undefined, client, (err?: unknown) => client.release(err as Error | boolean | undefined)),
      (err: Error) => callback(err, undefined, () => undefined),
    );
  }
}

function guard(client: pg.PoolClient): pg.PoolClient {
  const release = client.release.bind(client);
  let released = false;
  const onEnd = () => {
    if (!released) client.release(new Error("the database closed this connection while it was checked out"));
  };
  // pg-pool removes its own error listener while a connection is checked out; a connection that dies
  // between its borrower's queries would otherwise emit an unheard "error" and crash the process. The
  // borrower still sees the failure on its next query, and the "end" that follows releases it.
  const onError = () => undefined;
  client.release = (err?: Error | boolean) => {
    if (released) return;
    released = true;
    client.removeListener("end", onEnd);
    client.removeListener("error", onError);
    release(err);
  };
  client.once("end", onEnd);
  client.on("error", onError);
  return client;
}
