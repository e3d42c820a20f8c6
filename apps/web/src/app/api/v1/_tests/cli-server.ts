/**
 * The /api/v1 route handlers served over real HTTP on a free port (node:http; the handlers, database,
 * Redis and tokens are the product's), and the CLI run against it through its real code path: argument
 * parsing, file reading, fetch with `Authorization: Bearer`, rendering, exit codes.
 */
import { createServer, type Server } from "node:http";
import { API_ROUTES } from "@parapet/core/openapi/routes";
import { runCli } from "@parapet/core/cli/commands";
import { handlerFor } from "./harness.ts";

/** Route templates as regular expressions, most specific (fewest parameters) first. */
const ROUTES = API_ROUTES.map((r) => ({
  r,
  re: new RegExp(`^/api/v1${r.path.replace(/\{(\w+)\}/g, "(?<$1>[^/]+)")}$`),
  params: (r.path.match(/\{/g) ?? []).length,
})).sort((a, b) => a.params - b.params);

export async function serveApi(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const u = new URL(req.url ?? "/", "http://127.0.0.1");
      const m = ROUTES.find((x) => x.r.method === req.method && x.re.test(u.pathname));
      if (!m) {
        res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { code: "not_found", message: "no route" } }));
        return;
      }
      const params = Object.fromEntries(Object.entries(m.re.exec(u.pathname)!.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const handler = await handlerFor(m.r.method, m.r.path);
      const out = await handler(
        new Request(`http://127.0.0.1${u.pathname}${u.search}`, { method: req.method!, headers, ...(body ? { body } : {}) }),
        { params: Promise.resolve(params) },
      );
      res.writeHead(out.status, Object.fromEntries(out.headers.entries()));
      res.end(Buffer.from(await out.arrayBuffer()));
    })().catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("no port");
  return { url: `http://127.0.0.1:${addr.port}`, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** Runs `parapet <argv>` against `url` with `token`, as CI would (GitHub Actions' variables set). */
export async function cliAgainst(url: string, token: string, argv: string[], sleep?: () => Promise<void>) {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { PARAPET_URL: url, PARAPET_TOKEN: token, GITHUB_REPOSITORY: "acme/guardrails", GITHUB_SHA: "c0ffee1234567890" },
    ...(sleep ? { sleep } : {}),
  });
  return { code, out, err };
}
