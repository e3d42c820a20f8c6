/**
 * Demo-mode mail catcher: a local SMTP server that keeps every message it receives (as .eml plus a
 * small JSON index) and an HTTP page listing them, so a new user sees the report email Parapet sent
 * without configuring a real relay. Listens on 127.0.0.1 only; never for production use.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { simpleParser, type AddressObject, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { escapeHtml } from "../common/html.ts";

export type { ParsedMail as TParsedMail } from "mailparser";

export interface TMailCatcherOptions {
  /** SMTP port (0 = any free port). */
  port: number;
  /** Directory for the .eml files and index.json. */
  dir: string;
  /** HTTP port of the inbox page (0 = any free port; default 0). */
  httpPort?: number;
  host?: string;
  /** Messages kept in the index (oldest dropped first). */
  keep?: number;
  /** Reject this many messages with a 451 before accepting (fault injection for tests and demos). */
  failFirst?: number;
}

interface TCaughtMessage {
  id: string;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  messageId: string | null;
  size: number;
  hasHtml: boolean;
}

export interface TMailCatcher {
  smtpPort: number;
  smtpUrl: string;
  httpUrl: string;
  /** Newest first. */
  messages(): TCaughtMessage[];
  raw(id: string): Buffer | null;
  /** The message parsed (headers, text, html, attachments), or null when unknown. */
  parsed(id: string): Promise<ParsedMail | null>;
  /** Resolves once at least `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<TCaughtMessage[]>;
  close(): Promise<void>;
}

/** Environment a demo stack passes to web and worker so both use the catcher. */
export function mailCatcherEnv(c: Pick<TMailCatcher, "smtpUrl" | "httpUrl">): Record<string, string> {
  return { PARAPET_SMTP_URL: c.smtpUrl, PARAPET_MAIL_CATCHER_URL: c.httpUrl };
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return [];
  return (Array.isArray(a) ? a : [a]).flatMap((x) => x.value.map((v) => v.address ?? v.name)).filter((v): v is string => !!v);
}

export async function startMailCatcher(opts: TMailCatcherOptions): Promise<TMailCatcher> {
  const host = opts.host ?? "127.0.0.1";
  const keep = opts.keep ?? 500;
  mkdirSync(opts.dir, { recursive: true });
  const indexFile = join(opts.dir, "index.json");
  let index: TCaughtMessage[] = existsSync(indexFile) ? (JSON.parse(readFileSync(indexFile, "utf8")) as TCaughtMessage[]) : [];
  let toFail = opts.failFirst ?? 0;
  const waiters: Array<{ count: number; resolve: (m: TCaughtMessage[]) => void }> = [];

  const persist = () => {
    const tmp = `${indexFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(index, null, 2));
    renameSync(tmp, indexFile);
  };

  const smtp = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: advertising STARTTLS with a self-signed certificate would make clients fail.
    disabledCommands: ["STARTTLS", "AUTH"],
    size: 20 * 1024 * 1024,
    banner: "Parapet demo mail catcher",
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (toFail > 0) {
          toFail--;
          callback(Object.assign(new Error("Mailbox busy, try again later"), { responseCode: 451 }));
          return;
        }
        const raw = Buffer.concat(chunks);
        void simpleParser(raw)
          .then((parsed) => {
            const id = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
            writeFileSync(join(opts.dir, `${id}.eml`), raw);
            const entry: TCaughtMessage = {
              id,
              receivedAt: new Date().toISOString(),
              from: addresses(parsed.from)[0] ?? "",
              to: addresses(parsed.to),
              subject: parsed.subject ?? "",
              messageId: parsed.messageId ?? null,
              size: raw.length,
              hasHtml: typeof parsed.html === "string",
            };
            index = [entry, ...index].slice(0, keep);
            persist();
            callback();
            for (const w of [...waiters]) {
              if (index.length >= w.count) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(index);
              }
            }
          })
          .catch((e: unknown) => callback(e instanceof Error ? e : new Error(String(e))));
      });
    },
  });
  smtp.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    smtp.server.once("error", reject);
    smtp.listen(opts.port, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const raw = (id: string): Buffer | null => {
    if (!/^[a-z0-9-]{1,40}$/.test(id) || !index.some((m) => m.id === id)) return null;
    const f = join(opts.dir, `${id}.eml`);
    return existsSync(f) ? readFileSync(f) : null;
  };

  const http: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://catcher");
      const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff", ...extra });
        res.end(body);
      };
      if (url.pathname === "/api/messages") return send(200, "application/json", JSON.stringify(index));
      const m = /^\/messages\/([a-z0-9-]+)\.(eml|html|txt)$/.exec(url.pathname);
      if (m) {
        const buf = raw(m[1]!);
        if (!buf) return send(404, "text/plain; charset=utf-8", "no such message");
        if (m[2] === "eml") return send(200, "message/rfc822", buf, { "content-disposition": `attachment; filename="${m[1]}.eml"` });
        const parsed = await simpleParser(buf);
        if (m[2] === "txt") return send(200, "text/plain; charset=utf-8", parsed.text ?? "");
        // Scripts and remote loads in a caught message must not run in the viewer's browser.
        return send(
          200,
          "text/html; charset=utf-8",
          typeof parsed.html === "string" ? parsed.html : `<pre>${escapeHtml(parsed.text ?? "")}</pre>`,
          {
            "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
          },
        );
      }
      if (url.pathname !== "/") return send(404, "text/plain; charset=utf-8", "not found");
      const rows = index
        .map(
          (e) =>
            `<tr><td>${escapeHtml(e.receivedAt.replace("T", " ").slice(0, 19))}</td><td>${escapeHtml(e.to.join(", "))}</td><td><a href="/messages/${e.id}.html">${escapeHtml(e.subject || "(no subject)")}</a></td><td><a href="/messages/${e.id}.txt">text</a> · <a href="/messages/${e.id}.eml">.eml</a></td></tr>`,
        )
        .join("");
      send(
        200,
        "text/html; charset=utf-8",
        `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Parapet demo inbox</title></head><body style="font-family:system-ui,sans-serif;margin:24px;color:#111827;"><h1 style="font-size:20px;">Parapet demo inbox</h1><p style="color:#6b7280;">Every email the demo sends lands here (SMTP ${escapeHtml(host)}:${smtpPort}). ${index.length} message(s).</p><table cellpadding="6" style="border-collapse:collapse;font-size:14px;"><thead><tr><th align="left">Received (UTC)</th><th align="left">To</th><th align="left">Subject</th><th></th></tr></thead><tbody>${rows || `<tr><td colspan="4" style="color:#6b7280;">No email yet.</td></tr>`}</tbody></table></body></html>`,
        { "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'" },
      );
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end("error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.httpPort ?? 0, host, () => resolve());
  });
  const httpPort = (http.address() as AddressInfo).port;

  return {
    smtpPort,
    smtpUrl: `smtp://${host}:${smtpPort}`,
    httpUrl: `http://${host}:${httpPort}`,
    messages: () => index,
    raw,
    async parsed(id) {
      const buf = raw(id);
      return buf ? simpleParser(buf) : null;
    },
    waitFor(count, timeoutMs = 30_000) {
      if (index.length >= count) return Promise.resolve(index);
      return new Promise((resolve, reject) => {
        const w = { count, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`mail catcher: ${index.length} of ${count} messages after ${timeoutMs} ms`));
          }
        }, timeoutMs).unref();
      });
    },
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
