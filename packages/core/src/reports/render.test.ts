import { describe, expect, it } from "vitest";
import { assembleReportModel } from "./assemble-report.ts";
import { composeReportEmail, isPermanentSmtpError } from "./mailer.ts";
import { csvCell, renderReportCsv, renderReportCsvAll } from "./render-csv.ts";
import { renderReportHtml } from "./render-html.ts";
import { renderReportText } from "./render-text.ts";
import { signUnsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from "./unsubscribe-token.ts";

const model = assembleReportModel({
  workspace: { id: "ws1", name: `Acme <script>alert(1)</script> & "Co"` },
  timezone: "Europe/Berlin",
  period: { start: new Date("2026-11-02T07:00:00Z"), end: new Date("2026-11-09T07:00:00Z") },
  generatedAt: new Date("2026-11-09T07:00:00Z"),
  guardrails: [{ id: "g1", name: '=HYPERLINK("http://evil")', controlId: "deny-root-user" }],
  samples: [
    {
      day: "2026-11-09",
      cloud: "aws",
      guardrailId: "g1",
      counts: {
        enforced: 9,
        audit: 1,
        exempt: 0,
        drifted: 0,
        unsupported: 0,
        unknown: 0,
        pending: 0,
        total: 10,
        fidelity: { enforced: 10, partial: 0, detective: 0, unsupported: 0 },
      },
    },
  ],
  drift: [
    {
      id: "d1",
      kind: "detached",
      summary: 'SCP, "detached"\nby admin',
      cloud: "aws",
      guardrail: null,
      environment: "prod",
      openedAt: new Date("2026-11-03T10:00:00Z"),
      resolvedAt: new Date("2026-11-03T12:15:00Z"),
      resolution: "auto_reapplied",
    },
  ],
  newEnvironments: [],
  exemptions: [],
  approvals: [],
});

describe("report renderings", () => {
  it("renders the HTML email with inline styles, table bars, escaped names and the unsubscribe link", () => {
    const html = renderReportHtml(model, {
      reportUrl: "https://parapet.example/reports/s1",
      unsubscribeUrl: "https://parapet.example/unsubscribe?token=a&b",
    });
    expect(html).not.toContain("<script>");
    expect(html).toContain("Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;");
    expect(html).not.toMatch(/<style|class=/);
    expect(html).toContain('bgcolor="#16a34a"'); // 90% bar is green
    expect(html).toContain("90.0%");
    expect(html).toContain("2 h 15 min");
    expect(html).toContain('href="https://parapet.example/unsubscribe?token=a&amp;b"');
    expect(html).toContain("2 Nov 2026 – 9 Nov 2026 (Europe/Berlin)");
  });

  it("renders the same figures as plain text", () => {
    const text = renderReportText(model, { unsubscribeUrl: "https://x/unsubscribe?token=t" });
    expect(text).toContain("Coverage:                    90.0%");
    expect(text).toContain("Time to repair:              median 2 h 15 min, worst 2 h 15 min");
    expect(text).toMatch(/9 Nov {4}\[#{18}-{2}\] 90\.0%/);
    expect(text).toContain("Unsubscribe: https://x/unsubscribe?token=t");
  });

  it("exports tables as RFC 4180 CSV and defuses spreadsheet formulas", () => {
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("-5")).toBe("'-5");
    expect(csvCell(-5)).toBe("-5");
    const g = renderReportCsv(model, "guardrails");
    expect(g.split("\r\n")[0]).toBe(
      "guardrail,control_id,coverage_pct,change_pts,enforced,audit,exempt,drifted,unsupported,unknown,pending,pairs",
    );
    expect(g.split("\r\n")[1]).toBe(`"'=HYPERLINK(""http://evil"")",deny-root-user,90,,9,1,0,0,0,0,0,10`);
    expect(renderReportCsv(model, "drift-repaired")).toContain('"SCP, ""detached""\nby admin"');
    expect(renderReportCsvAll(model)).toMatch(/^# trend\r\nweek_end,sample_day,coverage_pct\r\n/);
  });

  it("composes a multipart email with List-Unsubscribe headers only for subscriptions", () => {
    const cfg = { mailFrom: "Parapet <reports@parapet.example>", baseUrl: "https://parapet.example", secret: "s".repeat(32) };
    const mail = composeReportEmail(cfg, {
      model,
      to: "ciso@example.com",
      snapshotId: "snap1",
      deliveryId: "del1",
      subscriptionId: "sub1",
    });
    expect(mail.subject).toContain("90.0% guardrail coverage");
    expect(mail.messageId).toBe("<del1.snap1@parapet.example>");
    const headers = mail.headers as Record<string, string>;
    expect(headers["List-Unsubscribe"]).toBe(`<${unsubscribeUrl(cfg.baseUrl, cfg.secret, "sub1")}>`);
    expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const oneOff = composeReportEmail(cfg, { model, to: "me@example.com", snapshotId: "snap1", deliveryId: "del2" });
    expect((oneOff.headers as Record<string, string>)["List-Unsubscribe"]).toBeUndefined();
    expect(oneOff.html).toEqual(expect.not.stringContaining("Unsubscribe"));
  });

  it("treats SMTP 5xx replies as permanent and everything else as retryable", () => {
    expect(isPermanentSmtpError(Object.assign(new Error("x"), { responseCode: 550, code: "EENVELOPE" }))).toBe(true);
    expect(isPermanentSmtpError(Object.assign(new Error("x"), { responseCode: 451, code: "EMESSAGE" }))).toBe(false);
    expect(isPermanentSmtpError(Object.assign(new Error("x"), { code: "ECONNECTION" }))).toBe(false);
    expect(isPermanentSmtpError(Object.assign(new Error("x"), { responseCode: 535, code: "EAUTH" }))).toBe(false);
  });
});

describe("unsubscribe tokens", () => {
  const secret = "a-long-enough-secret-for-tests-0001";
  it("round-trips and rejects forgeries, other secrets and truncation", () => {
    const t = signUnsubscribeToken(secret, "cm123abc");
    expect(verifyUnsubscribeToken(secret, t)).toBe("cm123abc");
    expect(verifyUnsubscribeToken("another-secret-entirely-0000000", t)).toBeNull();
    expect(verifyUnsubscribeToken(secret, t.replace("cm123abc", "cm123abd"))).toBeNull();
    expect(verifyUnsubscribeToken(secret, t.slice(0, -2))).toBeNull();
    expect(verifyUnsubscribeToken(secret, null)).toBeNull();
    expect(verifyUnsubscribeToken(secret, "v1..")).toBeNull();
  });
});
