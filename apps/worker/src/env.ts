import { z } from "zod";

/** The only place apps/worker reads process.env. */
const ZEnv = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (postgresql://user@host:5432/db)"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  PARAPET_REDIS_PREFIX: z.string().max(100).default("parapet:"),
  PARAPET_WORKER_ID: z.string().max(100).optional(),
  PARAPET_MASTER_KEY: z.string().optional(),
  PARAPET_MASTER_KEY_ID: z.string().max(64).default("k1"),
  PARAPET_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
});
export type WorkerEnv = z.infer<typeof ZEnv>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`configuration: ${first?.path.join(".")}: ${first?.message}`);
  }
  return parsed.data;
}
