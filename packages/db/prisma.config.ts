/**
 * Prisma CLI configuration. Prisma 6.19 runs its schema engine as WASM here (no native download is
 * possible on our machines), which needs a driver adapter and five workarounds, each explained below.
 */
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

// Without DATABASE_URL Prisma 6 cannot read the generator config, falls back to the native engine and
// tries to download it. `generate` does not connect, so any syntactically valid URL will do there.
process.env.DATABASE_URL ??= "postgresql://unset@127.0.0.1:5432/unset";

// prisma/prisma#27403: adapter-pg 6.x rejects Postgres `name` (OID 19) and `"char"` (OID 18) columns
// that the schema engine's catalog queries return. Report them to the adapter as text / text[].
const OID_AS_TEXT: Record<number, number> = { 18: 25, 19: 25, 1003: 1009 };
type Fields = { fields?: Array<{ dataTypeID: number }> };
function remapOids<T>(res: T): T {
  for (const r of (Array.isArray(res) ? res : [res]) as Fields[]) {
    for (const f of r?.fields ?? []) f.dataTypeID = OID_AS_TEXT[f.dataTypeID] ?? f.dataTypeID;
  }
  return res;
}
type AnyFn = (...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply() below
const originalQuery = pg.Client.prototype.query as unknown as AnyFn;
(pg.Client.prototype as unknown as { query: AnyFn }).query = function (this: unknown, ...args: unknown[]) {
  const cbIndex = args.findIndex((a) => typeof a === "function");
  if (cbIndex >= 0) {
    const cb = args[cbIndex] as (err: unknown, res: unknown) => void;
    args[cbIndex] = (err: unknown, res: unknown) => cb(err, err ? res : remapOids(res));
    return originalQuery.apply(this, args);
  }
  const result = originalQuery.apply(this, args);
  return result instanceof Promise ? result.then(remapOids) : result;
};

function poolConfig(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    // Otherwise the CLI waits for idle pool clients to time out before exiting.
    allowExitOnIdle: true,
    idleTimeoutMillis: 1000,
  };
}

// adapter-pg 6.x runs a migration script by splitting it on every ";" (even inside comments, strings
// and dollar-quoted function bodies), so a PL/pgSQL trigger function cannot be migrated. Send the
// script whole instead: PostgreSQL's simple query protocol runs several statements in one message,
// exactly as psql does with the file.
type ScriptAdapter = {
  client: { query(sql: string): Promise<unknown> };
  onError(e: unknown): never;
  executeScript(script: string): Promise<void>;
};
function wholeScripts<T>(adapter: T): T {
  const proto = Object.getPrototypeOf(adapter) as ScriptAdapter & { __wholeScripts?: true };
  if (!proto.__wholeScripts) {
    proto.__wholeScripts = true;
    proto.executeScript = async function (this: ScriptAdapter, script: string) {
      try {
        await this.client.query(script);
      } catch (error) {
        this.onError(error);
      }
    };
  }
  return adapter;
}

// adapter-pg 6.x drops the shadow database while its own pool still holds connections
// ("database is being accessed by other users"): close the shadow pool first, then drop.
class ShadowSafePrismaPg extends PrismaPg {
  constructor(private readonly cfg: pg.PoolConfig) {
    super(cfg);
  }
  override async connect() {
    return wholeScripts(await super.connect());
  }
  override async connectToShadowDb() {
    const main = await this.connect();
    const database = `prisma_shadow_${globalThis.crypto.randomUUID().replace(/-/g, "")}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = wholeScripts(await new PrismaPg({ ...this.cfg, database }).connect());
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await disposeShadow();
      await main.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await main.dispose();
    };
    return shadow;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  // Discrete fields, not connectionString: adapter-pg builds the shadow pool as { ...config, database }
  // and pg would let a connectionString override `database`.
  adapter: async () => new ShadowSafePrismaPg(poolConfig(process.env.DATABASE_URL!)),
  schema: "../../prisma/schema",
  migrations: { path: "../../prisma/migrations" },
});
