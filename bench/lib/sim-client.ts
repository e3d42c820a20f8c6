/**
 * The read-heavy request mix of bench/sim.bench.ts, as a load generator in its own process (so the
 * simulator's process serves and nothing else). Input: one JSON argument {url, ous, accounts, policies,
 * total, concurrency, mode}; output: one JSON line {rps}.
 *
 * mode "sdk" sends every request through the AWS SDK (signing and parsing each one, as Parapet does);
 * mode "raw" has the SDK sign a few hundred distinct requests of the same mix once, then replays them
 * with autocannon, so the figure is what the simulator serves rather than what one SDK client can
 * produce (SigV4 allows replaying a signed request for minutes, and the simulator checks it the same).
 */
import autocannon from "autocannon";
import { readMix, runMix, simClient } from "./sim-mix.ts";

interface Input {
  url: string;
  ous: string[];
  accounts: string[];
  policies: string[];
  total: number;
  concurrency: number;
  mode?: "sdk" | "raw";
}

const input = JSON.parse(process.argv[2] ?? "{}") as Input;
const client = simClient(input.url);
const ops = readMix(client, input);
if (input.mode === "raw") {
  const signed: autocannon.Request[] = [];
  const captured = new Error("captured before sending");
  // After signing, before the wire: keep the request and stop there.
  client.middlewareStack.add(
    (() => (args: { request: unknown }) => {
      const r = args.request as { method: string; path: string; headers: Record<string, string>; body?: string | Uint8Array };
      const body = typeof r.body === "string" ? r.body : Buffer.from(r.body ?? new Uint8Array()).toString("utf8");
      // autocannon writes its own Host and Content-Length; a second copy of either makes the request invalid HTTP.
      const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== "host" && k !== "content-length"));
      signed.push({ method: r.method as autocannon.Request["method"], path: r.path, headers, body });
      throw captured;
    }) as never,
    { step: "deserialize", name: "captureSigned" },
  );
  for (let i = 0; i < 250; i++)
    await ops[i % ops.length]!(i).catch((e: unknown) => {
      if (e !== captured) throw e;
    });
  client.destroy();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    void autocannon({ url: input.url, connections: input.concurrency, amount: input.total, requests: signed }, (err, r) =>
      err ? reject(err as Error) : resolve(r),
    );
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`replayed requests failed: ${result.non2xx} non-2xx, ${result.errors} errors`);
  process.stdout.write(JSON.stringify({ rps: result.requests.total / (result.duration || 1) }) + "\n");
  process.exit(0);
}

const rps = await runMix(ops, input.total, input.concurrency);
client.destroy();
process.stdout.write(JSON.stringify({ rps }) + "\n");
