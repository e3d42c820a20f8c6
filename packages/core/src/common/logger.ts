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

export type { Logger, DestinationStream };
export type { TLogLevel } from "./log-level.ts";

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

/** Header names with a dash need bracket notation. */
const SECRET_HEADERS = ["x-api-key", "set-cookie", "proxy-authorization"] as const;

/** How deep under a line's top level a secret key is still found (err.cause.response.headers.x = 4). */
const DEPTH = 4;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (let d = 0; d <= DEPTH; d++) {
    const prefix = "*.".repeat(d);
    for (const k of SECRET_KEYS) paths.push(`${prefix}${k}`);
    if (d < DEPTH) for (const h of SECRET_HEADERS) paths.push(`${prefix}headers["${h}"]`);
  }
  return paths;
}

/** Every path redacted from every log line (exported for the test that proves them). */
export const REDACT_PATHS: readonly string[] = redactPaths();
export const REDACTED = "[redacted]";

export interface LoggerOptions {
  level?: TLogLevel;
  /** Where lines go: stdout unless told otherwise (tests pass a stream they read; the fault suite's children stderr). */
  destination?: DestinationStream;
  /** "web", "worker": which process wrote the line. */
  service?: string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? "info",
      base: { service: opts.service ?? "parapet", pid: process.pid, hostname: hostname() },
      timestamp: stdTimeFunctions.isoTime,
      // "level":"error" rather than 50: read by people as often as by machines.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      serializers: { err: stdSerializers.err, error: stdSerializers.err },
    },
    // Synchronous: the worker's last lines before process.exit (a failed start, a forced shutdown) must not be lost.
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
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
