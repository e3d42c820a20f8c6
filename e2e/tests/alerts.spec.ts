/**
 * Alerts where teams live (issue 17), end to end: an admin adds a webhook channel and a rule in
 * Settings → Notifications; drift in the GCP simulator reaches the test's own HTTP receiver, which checks
 * the HMAC signature with the key the page showed once; a call the AWS organization trail records as
 * refused by the baseline guardrail's SCP appears on the Denials page attributed to it; an exemption of
 * that principal is requested there and approved by a second member, and the decision comes back on the
 * channel that told the denial.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "@playwright/test";
import { CONNECTIONS, SIMS, expect, needsStack, shot, signIn, simAdmin, unique } from "./support.ts";

interface Alert {
  type: string;
  title: string;
  events: Array<{ type: string; connectionId: string | null; detail: Record<string, unknown> }>;
}

/** A webhook receiver as a team would run one: answers 401 to anything whose signature does not verify. */
class Receiver {
  private server: Server | undefined;
  secret = "";
  readonly verified: Alert[] = [];
  refused = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const ts = String(req.headers["x-parapet-timestamp"] ?? "");
        const sig = String(req.headers["x-parapet-signature"] ?? "");
        const want = `sha256=${createHmac("sha256", this.secret).update(`${ts}.${body}`).digest("hex")}`;
        const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
        const ok = this.secret !== "" && fresh && sig.length === want.length && timingSafeEqual(Buffer.from(sig), Buffer.from(want));
        if (!ok) {
          this.refused++;
          res.writeHead(401).end();
          return;
        }
        this.verified.push(JSON.parse(body) as Alert);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/parapet`;
  }

  of(type: string): Alert[] {
    return this.verified.filter((a) => a.type === type);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

interface DenyPolicy {
  id: string;
  attachmentPoint: string;
  annotations?: Record<string, string>;
}

async function ownedDenyPolicies(): Promise<string[]> {
  const snap = (await simAdmin("gcp", "GET", "/_admin/snapshot")) as { denyPolicies: DenyPolicy[] };
  return snap.denyPolicies
    .filter((p) => "parapet-managed" in (p.annotations ?? {}))
    .map((p) => `policies/${encodeURIComponent(p.attachmentPoint)}/denypolicies/${p.id}`);
}

/**
 * A CloudTrail record of a call an SCP refused (errorCode AccessDenied, errorMessage naming "an explicit deny
 * in a service control policy": https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
 */
function refusedStopLogging(account: string, role: string, n: number) {
  const session = `journey-${n}`;
  return {
    eventVersion: "1.10",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROAJOURNEY:${session}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
      accountId: account,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROAJOURNEY",
          arn: `arn:aws:iam::${account}:role/${role}`,
          accountId: account,
          userName: role,
        },
      },
    },
    eventTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: "cloudtrail.amazonaws.com",
    eventName: "StopLogging",
    awsRegion: "eu-west-1",
    sourceIPAddress: "203.0.113.77",
    userAgent: "aws-cli/2.17.0",
    requestParameters: { name: "org-trail" },
    responseElements: null,
    errorCode: "AccessDenied",
    errorMessage: `User: arn:aws:sts::${account}:assumed-role/${role}/${session} is not authorized to perform: cloudtrail:StopLogging on resource: org-trail with an explicit deny in a service control policy`,
    requestID: `journey-req-${n}`,
    eventID: `a1e47000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: "Management",
  };
}

test("an alert arrives at a signed webhook, and a denied call is exempted through a second member's approval", async ({ browser }) => {
  needsStack(SIMS.gcp && CONNECTIONS.gcp && SIMS.aws && CONNECTIONS.aws, "needs the GCP and AWS simulators connected in the demo stack");
  test.setTimeout(420_000);
  const rx = new Receiver();
  const hookUrl = await rx.start();
  const owner = await browser.newPage();
  const channelName = unique("Journey hook");
  try {
    await signIn(owner, "owner");

    // Settings → Notifications: a webhook channel (its signing key is shown once) and a rule feeding it.
    await owner.goto("/settings");
    await owner.getByRole("link", { name: "Notifications" }).click();
    await expect(owner.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
    const add = owner.getByRole("form", { name: "Add a channel" });
    await add.getByLabel("Kind").selectOption("webhook");
    await add.getByLabel("Name").fill(channelName);
    await add.getByLabel("Webhook URL").fill(hookUrl);
    await add.getByRole("button", { name: "Add channel" }).click();
    rx.secret = ((await owner.getByTestId("signing-secret").locator("code").last().textContent()) ?? "").trim();
    expect(rx.secret.length).toBeGreaterThan(20);
    await expect(owner.getByTestId("channels")).toContainText(channelName);

    const rule = owner.getByRole("form", { name: "Add a rule" });
    await rule.getByLabel("Name").fill(`${channelName} rule`);
    await rule.getByLabel("Channel").selectOption({ label: channelName });
    await rule.getByLabel("Drift detected", { exact: true }).check();
    await rule.getByLabel("Real call denied by a guardrail").check();
    await rule.getByLabel(/Digest window/).fill("0");
    await rule.getByRole("button", { name: "Add rule" }).click();
    await expect(owner.getByTestId("rules")).toContainText(`${channelName} rule`);
    await shot(owner, "notifications-settings");

    // Drift: someone deletes the baseline guardrail's deny policy in the GCP console.
    let target: string | undefined;
    await expect(async () => {
      target = (await ownedDenyPolicies())[0];
      expect(target).toBeTruthy();
    }).toPass({ timeout: 150_000, intervals: [2_000, 5_000] });
    await simAdmin("gcp", "DELETE", `/_admin/deny-policies?name=${encodeURIComponent(target!)}`, {
      name: target!,
      actor: "mallory@example.com",
    });
    await simAdmin("gcp", "POST", "/_admin/events/flush", {}).catch(() => undefined);

    // The alert arrives, signed with the channel's key.
    await expect
      .poll(() => rx.of("drift.detected").flatMap((a) => a.events.filter((e) => e.connectionId === CONNECTIONS.gcp)).length, {
        timeout: 150_000,
        intervals: [1_000, 2_000],
      })
      .toBeGreaterThan(0);
    expect(rx.refused).toBe(0);

    // A call the baseline guardrail's SCP refused, in a member account, as the organization trail logs it.
    const trail = (await simAdmin("aws", "GET", "/_admin/cloudtrail/events")) as {
      Records: Array<{ eventID?: string; eventName?: string; recipientAccountId?: string }>;
    };
    const account = trail.Records.find((r) => r.eventID?.startsWith("5eed0000-") && r.eventName === "StopLogging")?.recipientAccountId;
    expect(account, "the demo's trail history names a member account").toBeTruthy();
    const role = `journey-migrator-${Date.now().toString(36)}`;
    const principal = `arn:aws:iam::${account}:role/${role}`;
    await simAdmin("aws", "POST", "/_admin/cloudtrail/events", {
      Records: [refusedStopLogging(account!, role, Date.now() % 1_000_000_000)],
    });
    await simAdmin("aws", "POST", "/_admin/cloudtrail/deliver", {});

    // It reaches the Denials page attributed to the guardrail, and the channel hears of it.
    await owner.getByRole("link", { name: "Denials" }).click();
    await expect(owner.getByRole("heading", { name: "Denials", level: 1 })).toBeVisible();
    const row = owner.getByTestId("denials").getByRole("row").filter({ hasText: principal });
    await expect(async () => {
      await owner.reload();
      await expect(row).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 150_000, intervals: [2_000, 5_000] });
    await expect(row).toContainText("cloudtrail:StopLogging");
    await expect(row).toContainText("Audit logging cannot be turned off");
    await expect
      .poll(() => rx.of("denial.detected").filter((a) => a.events.some((e) => e.detail.principal === principal)).length, {
        timeout: 90_000,
      })
      .toBe(1);
    await shot(owner, "denials");

    // "Request exemption" for that principal, from the denial.
    await row.getByRole("button", { name: "Request exemption…" }).click();
    const dialog = owner.getByRole("dialog");
    await dialog.getByRole("radio", { name: /the principal/ }).check();
    const reason = `${role} migrates the trail once`;
    await dialog.getByLabel("Reason").fill(reason);
    await dialog.getByLabel("Owner e-mail").fill("demo@parapet.local");
    await dialog.getByLabel("Days").fill("3");
    await dialog.getByRole("button", { name: "Request exemption" }).click();
    await expect(owner.getByRole("status").filter({ hasText: "waits for a second member's approval" })).toBeVisible();

    // A second member approves it; the decision is told on the channel that delivered the denial's alert.
    const approver = await browser.newPage();
    try {
      await signIn(approver, "approver");
      await approver.goto("/approvals");
      const card = approver.getByTestId("approval").filter({ hasText: principal });
      await expect(card).toBeVisible();
      await card.getByRole("button", { name: "Approve" }).click();
      await expect(approver.getByTestId("approval").filter({ hasText: principal })).toHaveCount(0, { timeout: 90_000 });
    } finally {
      await approver.close();
    }
    await expect.poll(() => rx.of("approval.decided").length, { timeout: 90_000 }).toBeGreaterThan(0);
    await owner.goto("/exemptions");
    await expect(owner.getByText(principal).first()).toBeVisible();
    expect(rx.refused).toBe(0);

    // Leave the shared demo as the other journeys expect it: the deny policy repaired, the channel gone.
    await expect(async () => {
      expect(await ownedDenyPolicies()).toContain(target!);
    }).toPass({ timeout: 120_000, intervals: [2_000, 5_000] });
  } finally {
    await owner.goto("/settings/notifications").catch(() => undefined);
    owner.on("dialog", (d) => void d.accept());
    const mine = owner.getByTestId("channels").getByRole("row").filter({ hasText: channelName });
    if (await mine.count().catch(() => 0)) {
      await mine.getByRole("button", { name: "Remove" }).click();
      await expect(owner.getByTestId("channels").getByRole("row").filter({ hasText: channelName })).toHaveCount(0);
    }
    await owner.close();
    await rx.stop();
  }
});
