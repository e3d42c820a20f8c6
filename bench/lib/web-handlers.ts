/**
 * Serves the web app's real /api/v1 route handlers (the files under apps/web/src/app/api/v1, with their
 * auth, validation, core use-cases and SQL) on a loopback port with node:http, for the dashboard
 * benchmark when no production build (`next build`) is there to `next start`. Run in its own process so
 * the load generator does not share its event loop:
 *   tsx --tsconfig apps/web/tsconfig.json --conditions=react-server bench/lib/web-handlers.ts
 * Environment: the web app's (DATABASE_URL, PARAPET_AUTH_SECRET, …). Prints one JSON line {port}.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

const V1 = join(import.meta.dirname, "..", "..", "apps", "web", "src", "app", "api", "v1");
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const routes = new Map<string, Handler>();
for (const [path, file] of [
  ["/api/v1/coverage/overview", "coverage/overview/route.ts"],
  ["/api/v1/coverage/matrix", "coverage/matrix/route.ts"],
  ["/api/v1/drift", "drift/route.ts"],
] as const) {
  const mod = (await import(join(V1, file))) as { GET: Handler };
  routes.set(path, mod.GET);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const h = routes.get(url.pathname);
  if (!h) {
    res.writeHead(404).end();
    return;
  }
  const headers = new Headers();
  for (const [name, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(name, v);
  h(new Request(url, { method: req.method ?? "GET", headers }), { params: Promise.resolve({}) })
    .then(async (r) => {
      const body = Buffer.from(await r.arrayBuffer());
      res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json", "content-length": body.length });
      res.end(body);
    })
    .catch((e: unknown) => {
      console.error(e);
      res.writeHead(500).end();
    });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + "\n");
});
