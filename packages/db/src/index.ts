import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, Prisma } from "./generated/client.ts";
import { SelfHealingPool } from "./pool.ts";

export { PrismaClient, Prisma };
export type * from "./generated/models.ts";
export * from "./generated/enums.ts";

export interface CreatePrismaOptions {
  url?: string;
  /** Pool size per process; the web and worker each keep their own. */
  max?: number;
}

/** A Prisma client over node-postgres (Rust-free engine). */
export function createPrisma(opts: CreatePrismaOptions = {}): PrismaClient {
  const url = opts.url ?? process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const pool = new SelfHealingPool({ connectionString: url, max: opts.max ?? 10 });
  // disposeExternalPool: without it $disconnect() leaves the pool and its idle connections open, with
  // Prisma's error listener removed, so a database restart afterwards killed the process (seen in CI).
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
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

/** Replaces the process-wide client (tests point it at their own database). */
export function setPrisma(client: PrismaClient): void {
  holder.__parapetPrisma = client;
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
