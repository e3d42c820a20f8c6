import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, Prisma } from "./generated/client.ts";
import type pg from "pg";
import { SelfHealingPool } from "./pool.ts";

export { isDatabaseUnavailable } from "./unavailable.ts";

export { PrismaClient, Prisma };
export type * from "./generated/models.ts";
export * from "./generated/enums.ts";

export interface CreatePrismaOptions {
  url?: string;
  /** Pool size per process; the web and worker each keep their own. */
  max?: number;
  /** How long to wait for a new connection (TCP + start-up) before the query fails. */
  connectionTimeoutMs?: number;
  /** Server-side cap on one statement (PostgreSQL's statement_timeout). */
  statementTimeoutMs?: number;
}

/**
 * Without a connect timeout, node-postgres waits for the operating system's TCP timeout (minutes) when
 * the database is blackholed (a failover moving its address, a dropped route): every request then hangs
 * that long. 5 s is far above a healthy connect on a LAN and short enough for an HTTP request to answer.
 */
const DB_CONNECT_TIMEOUT_MS = 5000;
/**
 * Parapet's statements are short OLTP reads and writes (the slowest, the audit chain's advisory lock wait
 * and coverage pages, take well under a second at bench scale); a statement still running after 60 s is
 * a stuck lock or a sick server, and failing it frees the request and its pool slot.
 */
const DB_STATEMENT_TIMEOUT_MS = 60_000;

/** A Prisma client over node-postgres (Rust-free engine). */
export function createPrisma(opts: CreatePrismaOptions = {}): PrismaClient {
  const url = opts.url ?? process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const pool = new SelfHealingPool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? DB_CONNECT_TIMEOUT_MS,
    statement_timeout: opts.statementTimeoutMs ?? DB_STATEMENT_TIMEOUT_MS,
    // Detects a peer that vanished without a FIN (failover, network partition) on idle pooled
    // connections, instead of handing out a dead socket that waits for the TCP retransmit timeout.
    keepAlive: true,
    // No JIT compilation. It pays off for analytical queries that run for seconds; Parapet's are short
    // OLTP statements. A cost estimate over jit_above_cost made PostgreSQL compile a 1 ms tree-level
    // read at 50,000 environments on every execution, 17 ms of JIT each time (bench/RESULTS.md §4j). A
    // DATABASE_URL with its own `options` parameter keeps them (node-postgres lets the URL win).
    options: "-c jit=off",
  });
  // disposeExternalPool: without it $disconnect() leaves the pool and its idle connections open, with
  // Prisma's error listener removed, so a database restart afterwards killed the process (seen in CI).
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

/** Each client's own node-postgres pool, for readRows (the client owns and closes it). */
const pools = new WeakMap<object, pg.Pool>();

/**
 * Rows of one parameterised read statement, sent on the client's own pool without going through
 * Prisma. For the hot read paths of a request (authentication, dashboard pages): a Prisma query costs
 * 0.6–1.3 ms of CPU in its query compiler and result mapping, a `$queryRaw` 0.4 ms, this 0.14 ms
 * (bench/RESULTS.md §4f). The statement must select only columns whose JavaScript value is the same
 * through either path (text, int4, float8, bool, json/jsonb; timestamps as epoch milliseconds in
 * float8, since node-postgres reads `timestamp without time zone` in the process's time zone), because
 * inside a transaction (`db` is a Tx) it runs through `$queryRawUnsafe` instead, on the transaction's
 * connection.
 */
export async function readRows<T>(db: PrismaClient | Tx, text: string, values: unknown[] = []): Promise<T[]> {
  const pool = pools.get(db);
  if (!pool) return db.$queryRawUnsafe<T[]>(text, ...values);
  return (await pool.query(text, values)).rows as T[];
}

const holder = globalThis as unknown as { __parapetPrisma?: PrismaClient };

/**
 * The process-wide client. Next.js dev reloads modules, so it is kept on globalThis to avoid
 * leaking a pool per reload.
 */
export function getPrisma(): PrismaClient {
  holder.__parapetPrisma ??= createPrisma();
  return holder.__parapetPrisma;
}

export type Tx = Prisma.TransactionClient;

/**
 * One quick connection attempt, so a wrong DATABASE_URL is reported at start-up as one line
 * instead of surfacing later as a pool timeout.
 */
export async function probeDatabase(url: string, timeoutMs = 3000): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => undefined);
  }
}
