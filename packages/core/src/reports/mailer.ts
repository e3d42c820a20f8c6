/**
 * SMTP delivery of report emails with nodemailer. The transport is configured by one URL
 * (smtp://user:pass@host:587, smtps://… for implicit TLS), passed in by the app's env.ts.
 */
import nodemailer, { type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type Mail from "nodemailer/lib/mailer";
import { reportSubject } from "./format.ts";
import type { TReportModel } from "./model.ts";
import { renderReportCsv } from "./render-csv.ts";
import { renderReportHtml } from "./render-html.ts";
import { renderReportText } from "./render-text.ts";
import type { TDeliveryRetry } from "./report-jobs.ts";
import { unsubscribeUrl } from "./unsubscribe-token.ts";

export interface TReportsConfig {
  /** smtp://user:pass@host:port or smtps://…; when unset every delivery fails, visibly, with that reason. */
  smtpUrl?: string;
  /** "Parapet <reports@example.com>" */
  mailFrom: string;
  /** Public base URL of the web app, for report and unsubscribe links. */
  baseUrl: string;
  /** Signs unsubscribe tokens; the web app must verify with the same value (PARAPET_AUTH_SECRET). */
  secret: string;
  retry?: TDeliveryRetry;
}

export type TMailTransport = Transporter<SMTPTransport.SentMessageInfo, SMTPTransport.Options>;

export function createMailTransport(smtpUrl: string): TMailTransport {
  const u = new URL(smtpUrl);
  if (u.protocol !== "smtp:" && u.protocol !== "smtps:")
    throw new Error(`SMTP URL must start with smtp:// or smtps://, got ${u.protocol}//`);
  return nodemailer.createTransport({
    host: u.hostname,
    port: u.port ? Number(u.port) : u.protocol === "smtps:" ? 465 : 587,
    secure: u.protocol === "smtps:",
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    // Bounded waits: a hung relay must fail the attempt (and be retried), not hold a worker slot.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}

export interface TComposeInput {
  model: TReportModel;
  to: string;
  snapshotId: string;
  deliveryId: string;
  /** Present for subscription deliveries: adds the signed unsubscribe link and List-Unsubscribe headers. */
  subscriptionId?: string | null;
}

function domainOf(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return m?.[1] ?? "parapet.local";
}

export function composeReportEmail(cfg: Pick<TReportsConfig, "mailFrom" | "baseUrl" | "secret">, input: TComposeInput): Mail.Options {
  const { model } = input;
  const reportUrl = new URL(`/reports/${encodeURIComponent(input.snapshotId)}`, cfg.baseUrl).toString();
  const unsub = input.subscriptionId ? unsubscribeUrl(cfg.baseUrl, cfg.secret, input.subscriptionId) : undefined;
  const links = { reportUrl, ...(unsub ? { unsubscribeUrl: unsub } : {}) };
  const day = model.period.end.slice(0, 10);
  return {
    from: cfg.mailFrom,
    to: input.to,
    subject: reportSubject(model),
    text: renderReportText(model, links),
    html: renderReportHtml(model, links),
    // A stable id per delivery: if a crash makes us send twice, clients thread/dedupe the copies.
    messageId: `<${input.deliveryId}.${input.snapshotId}@${domainOf(cfg.mailFrom)}>`,
    headers: {
      "X-Parapet-Report": input.snapshotId,
      "X-Parapet-Delivery": input.deliveryId,
      ...(unsub ? { "List-Unsubscribe": `<${unsub}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } : {}),
    },
    attachments: [
      {
        filename: `parapet-coverage-by-guardrail-${day}.csv`,
        content: renderReportCsv(model, "guardrails"),
        contentType: "text/csv; charset=utf-8",
      },
    ],
  };
}

/**
 * Permanent failures (an SMTP 5xx reply: unknown mailbox, policy rejection) are not retried; network
 * errors, timeouts and 4xx replies (greylisting, relay busy) are.
 */
export function isPermanentSmtpError(e: unknown): boolean {
  const err = e as { responseCode?: unknown; code?: unknown } | null;
  const rc = typeof err?.responseCode === "number" ? err.responseCode : null;
  return rc !== null && rc >= 500 && rc < 600 && err?.code !== "EAUTH";
}

/** One line for the delivery log: the SMTP reply or the network error, no stack. */
export function describeSmtpError(e: unknown): string {
  const err = e as { message?: unknown; code?: unknown; responseCode?: unknown; response?: unknown } | null;
  const parts = [
    typeof err?.code === "string" ? err.code : null,
    typeof err?.response === "string" ? err.response : typeof err?.message === "string" ? err.message : String(e),
  ];
  return parts.filter(Boolean).join(": ").slice(0, 1000);
}
