/**
 * Serves the web app's real /api/v1 route handlers (every route.ts under apps/web/src/app/api/v1, with
 * their auth, validation, core use-cases and SQL) on a loopback port with node:http, for benchmarks
 * when no production build (`next build`) is there to `next start`. Run in its own process so the load
 * generator does not share its event loop:
 *   tsx --tsconfig apps/web/tsconfig.json --conditions=react-server bench/lib/web-handlers.ts
 * Like Next's router, a method the route file does not export answers 405 and an unknown path 404.
 * Environment: the web app's (DATABASE_URL, PARAPET_AUTH_SECRET, …). Prints one JSON line {port}.
 */
import { readdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative, sep } from "node:path";

const V1 = join(import.meta.dirname, "..", "..", "apps", "web", "src", "app", "api", "v1");
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

interface Route {
  pattern: RegExp;
  names: string[];
  file: string;
  module?: Promise<Record<string, unknown>>;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!name.startsWith("_")) walk(p, out);
    } else if (name === "route.ts") out.push(p);
  }
  return out;
}

const routes: Route[] = walk(V1).map((file) => {
  const segments = relative(V1, join(file, "..")).split(sep).filter(Boolean);
  const names: string[] = [];
  const pattern = segments.map((s) => {
    const m = /^\[(\w+)\]$/.exec(s);
    if (!m) return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    names.push(m[1]!);
    return "([^/]+)";
  });
  return { pattern: new RegExp(`^/api/v1${pattern.length ? `/${pattern.join("/")}` : ""}$`), names, file };
});
// Static segments win over dynamic ones (/connections/bootstrap before /connections/[id]), as in Next.
routes.sort((a, b) => a.names.length - b.names.length);

const json = (status: number, body: unknown, extra: Record<string, string> = {}) => ({
  status,
  body: Buffer.from(JSON.stringify(body)),
  headers: { "content-type": "application/json", ...extra },
});

async function dispatch(req: Request, pathname: string): Promise<{ status: number; body: Buffer; headers: Record<string, string> }> {
  for (const r of routes) {
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    } catch {
      return json(400, { error: { code: "bad_request", message: "path: bad percent-encoding" } });
    }
    const mod = await (r.module ??= import(r.file) as Promise<Record<string, unknown>>);
    const h = mod[req.method];
    if (typeof h !== "function") {
      const allow = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((x) => typeof mod[x] === "function").join(", ");
      return { status: 405, body: Buffer.alloc(0), headers: { allow } };
    }
    const res = await (h as Handler)(req, { params: Promise.resolve(params) });
    return {
      status: res.status,
      body: Buffer.from(await res.arrayBuffer()),
      headers: { "content-type": res.headers.get("content-type") ?? "application/json" },
    };
  }
  return json(404, { error: { code: "not_found", message: "path: no such API route" } });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const headers = new Headers();
  for (const [name, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(name, v);
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = chunks.length && req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
    dispatch(new Request(url, { method: req.method ?? "GET", headers, ...(body ? { body: new Uint8Array(body) } : {}) }), url.pathname)
      .then((r) => {
        res.writeHead(r.status, { ...r.headers, "content-length": r.body.length });
        res.end(r.body);
      })
      .catch((e: unknown) => {
        console.error(e);
        res.writeHead(500).end();
      });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + "\n");
});
