/**
 * The one logger of the web app and the worker (pino): JSON lines on stdout with an ISO time, a level
 * name and the service, correlated by child loggers — a request's (`requestId`, method, path,
 * `workspaceId` once known) and a job's (`jobId`, queue, job name, `connectionId`, attempt). Secrets
 * are removed by configuration here, once, by key name at any depth a log line reaches, so a line that
 * carries an object with a credential in it cannot print the credential.
 *
 * Code deep in core does not take a logger parameter: `log()` answers the logger of the request or job
 * it runs under (see `runWithLogger`), or the process's root logger outside one.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { hostname } from "node:os";
import { pino, stdSerializers, stdTimeFunctions, type DestinationStream, type Logger } from "pino";
import type { TLogLevel } from "./log-level.ts";

export type { Logger };

/**
 * Keys whose values are secrets wherever they appear (credentials as the providers' zod schemas name
 * them, the apps' secret settings, auth material). Redaction paths are case-sensitive, hence both the
 * camelCase and the snake_case spellings clouds use.
 */
const SECRET_KEYS = [
  // people and API keys
  "password",
  "newPassword",
  "currentPassword",
  "apiKey",
  "api_key",
  "token",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "idToken",
  "id_token",
  "sessionToken",
  "session_token",
  // cloud credentials (packages/providers/src/<cloud>/credentials.ts) and their sealed forms
  "credentials",
  "credential",
  "credentialCiphertext",
  "secretAccessKey",
  "sourceSecretAccessKey",
  "clientSecret",
  "client_secret",
  "federatedToken",
  "privateKey",
  "private_key",
  "privateKeyPem",
  "passphrase",
  "secret",
  // event webhooks, master keys, signing keys, SMTP (its URL carries the relay's password)
  "eventSecret",
  "eventSecretCiphertext",
  "masterKey",
  "PARAPET_MASTER_KEY",
  "PARAPET_MASTER_KEYS_OLD",
  "PARAPET_AUTH_SECRET",
  "PARAPET_AUDIT_KEY",
  "PARAPET_SMTP_URL",
  "smtpUrl",
  // HTTP headers, when a headers object is logged
  "authorization",
  "cookie",
] as const;

/** Header names that are secrets (when a headers object is logged). */
const SECRET_HEADERS = ["x-api-key", "set-cookie", "proxy-authorization"] as const;

const SECRET = new Set<string>([...SECRET_KEYS, ...SECRET_HEADERS]);

/**
 * How deep under a line's top level a secret key is still found (err.cause.response.headers.x = 4);
 * one more level than pino's path redaction had, since the walk below costs nothing per extra path.
 */
const DEPTH = 5;

export const REDACTED = "[redacted]";

/**
 * The line's fields with every secret key's value replaced, at any depth up to DEPTH, in objects and
 * arrays. Copy on write: the caller's objects are never changed, and a line without secrets is passed
 * through as it is. Errors are serialised here (type, message, stack and their own fields, pino's
 * standard form) so that what an error carries is walked too.
 *
 * This replaced pino's `redact` option (@pinojs/redact with ~200 wildcard paths), which cost ~0.6 ms per
 * line and per child logger, measured 2026-12-07: three of those per API request (the request's logger,
 * its workspace binding, the access line) were the largest single cost of a cheap request
 * (bench/RESULTS.md §4h). Keys are matched exactly (case-sensitive), as the paths were.
 */
function scrub(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object" || depth > DEPTH) return value;
  if (value instanceof Error) return scrub(stdSerializers.err(value), depth);
  // Dates, URLs, Buffers…: JSON writes what toJSON answers, not their fields.
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const next = scrub(v, depth + 1);
      if (next !== v) (out ??= [...(value as unknown[])])[i] = next;
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const next = SECRET.has(k) && v !== undefined ? REDACTED : scrub(v, depth + 1);
    if (next !== v) (out ??= { ...obj })[k] = next;
  }
  return out ?? value;
}

/** A log line's or a child logger's fields without secrets (see scrub). */
function withoutSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  return scrub(fields, 0) as Record<string, unknown>;
}

export interface LoggerOptions {
  level?: TLogLevel;
  /** Where lines go: stdout unless told otherwise (tests pass a stream they read; the fault suite's children stderr). */
  destination?: DestinationStream;
  /** "web", "worker": which process wrote the line. */
  service?: string;
}

const asIs = (v: unknown) => v;

export function createLogger(opts: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      level: opts.level ?? "info",
      base: { service: opts.service ?? "parapet", pid: process.pid, hostname: hostname() },
      timestamp: stdTimeFunctions.isoTime,
      // "level":"error" rather than 50: read by people as often as by machines. Secrets leave every
      // line here (withoutSecrets), which also serialises errors.
      formatters: { level: (label) => ({ level: label }), log: withoutSecrets },
      // pino's default `err` serializer would serialise the already serialised error again (as "Object").
      serializers: { err: asIs, error: asIs },
    },
    // Synchronous: the worker's last lines before process.exit (a failed start, a forced shutdown) must not be lost.
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  // Child loggers' bindings: pino does not pass them through a formatter (it resets `bindings` for
  // children), so `child` itself is wrapped. A child is created with Object.create(parent), so every
  // logger descended from this one inherits the wrapper.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with each logger as `this` below
  const child = logger.child;
  logger.child = function (this: Logger, bindings: Record<string, unknown>, options?: Parameters<Logger["child"]>[1]) {
    return child.call(this, withoutSecrets(bindings), options);
  } as Logger["child"];
  return logger;
}

let settings: LoggerOptions = {};
let root: Logger | undefined;

/**
 * Sets the process's root logger (level from the app's env.ts, the service name, a destination); only
 * the options given change. Loggers already handed out keep writing where they did.
 */
export function configureLogging(opts: LoggerOptions): void {
  settings = { ...settings, ...opts };
  root = undefined;
}

export function rootLogger(): Logger {
  return (root ??= createLogger(settings));
}

/** Mutable: a request learns its workspace after authentication (`bindLogFields`). */
interface LogScope {
  logger: Logger;
}
const scope = new AsyncLocalStorage<LogScope>();

/** The logger of the request or job this code runs for, else the root logger. */
export function log(): Logger {
  return scope.getStore()?.logger ?? rootLogger();
}

/** Runs `fn` with `logger` as what `log()` answers inside it (and in everything it awaits). */
export function runWithLogger<T>(logger: Logger, fn: () => T): T {
  return scope.run({ logger }, fn);
}

/** Adds fields to the current request's or job's lines from here on (no-op outside one). */
export function bindLogFields(fields: Record<string, string | number | undefined>): void {
  const s = scope.getStore();
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  if (s && Object.keys(defined).length) s.logger = s.logger.child(defined);
}

/** Milliseconds since `started` (a `performance.now()`), rounded: the `durationMs` of request and job lines. */
export function durationSince(started: number): number {
  return Math.round(performance.now() - started);
}
