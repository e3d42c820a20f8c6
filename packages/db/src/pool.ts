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
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): Promise<pg.PoolClient> | void {
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
  client.release = (err?: Error | boolean) => {
    if (released) return;
    released = true;
    client.removeListener("end", onEnd);
    release(err);
  };
  client.once("end", onEnd);
  return client;
}
