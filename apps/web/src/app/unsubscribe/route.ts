import { AppError } from "@parapet/core";
import { describeUnsubscribeToken, unsubscribeWithToken } from "@parapet/core/reports/subscriptions";
import { prisma } from "@/server/clients";
import { unsubscribeSecret } from "@/server/reports";
import { escapeHtml } from "@parapet/core/common/html";

export const dynamic = "force-dynamic";

/**
 * Public unsubscribe for report emails; the signed token is the only credential. GET shows a
 * confirmation page (mail scanners follow links, so a GET never unsubscribes); POST unsubscribes,
 * from that page's button or from a mail client's RFC 8058 one-click request.
 */

function page(status: number, title: string, body: string): Response {
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)} · Parapet</title></head>
<body style="margin:0;background:#f3f4f6;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#111827;">
<main style="max-width:480px;margin:64px auto;background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:32px;">
<div style="font-size:12px;color:#6b7280;letter-spacing:.04em;text-transform:uppercase;">Parapet weekly coverage report</div>
<h1 style="font-size:22px;margin:8px 0 16px 0;">${escapeHtml(title)}</h1>${body}</main></body></html>`;
  return new Response(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer" },
  });
}

const invalid = () =>
  page(
    400,
    "This link is not valid",
    `<p>The unsubscribe link is incomplete or was changed. Open it again from the email, or ask a workspace admin to remove your address.</p>`,
  );

export async function GET(req: Request): Promise<Response> {
  const token = new URL(req.url).searchParams.get("token");
  const info = await describeUnsubscribeToken(prisma(), unsubscribeSecret(), token);
  if (!info) return invalid();
  if (!info.active)
    return page(
      200,
      "You are unsubscribed",
      `<p><strong>${escapeHtml(info.email)}</strong> no longer receives the weekly coverage report of <strong>${escapeHtml(info.workspaceName)}</strong>.</p>`,
    );
  return page(
    200,
    "Unsubscribe from weekly reports?",
    `<p><strong>${escapeHtml(info.email)}</strong> receives the weekly coverage report of <strong>${escapeHtml(info.workspaceName)}</strong>.</p>
<form method="post" action="/unsubscribe?token=${encodeURIComponent(token ?? "")}"><button type="submit" style="background:#4f46e5;color:#fff;border:0;border-radius:6px;padding:10px 16px;font-size:14px;cursor:pointer;">Unsubscribe</button></form>`,
  );
}

export async function POST(req: Request): Promise<Response> {
  let token = new URL(req.url).searchParams.get("token");
  if (!token && (req.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
    const text = (await req.text()).slice(0, 4096);
    token = new URLSearchParams(text).get("token");
  }
  try {
    const r = await unsubscribeWithToken(prisma(), unsubscribeSecret(), token);
    return page(
      200,
      "You are unsubscribed",
      `<p><strong>${escapeHtml(r.email)}</strong> will no longer receive the weekly coverage report of <strong>${escapeHtml(r.workspaceName)}</strong>. A workspace member can subscribe you again from Parapet's Reports page.</p>`,
    );
  } catch (e) {
    if (e instanceof AppError && e.code === "bad_request") return invalid();
    if (e instanceof AppError && e.code === "not_found") return page(404, "Nothing to unsubscribe", `<p>${escapeHtml(e.message)}.</p>`);
    throw e;
  }
}
