import { test } from "@playwright/test";
import { apiAs, CONNECTIONS, expect, needsStack, shot, signIn, SIMS, simAdmin, unique } from "./support.ts";

/**
 * Would have blocked, then a staged rollout (issue 16): a guardrail authored in audit is replayed against the
 * demo's organization-trail history; an exemption is requested from the impact table and approved by a
 * second member; a rollout to enforce starts with a canary and halts by itself when the stage's replay
 * finds a principal the pre-rollout replay never saw denied.
 */
test("author in audit, see what it would have blocked, exempt from the impact table, roll out and watch it halt", async ({ browser }) => {
  test.setTimeout(420_000);
  needsStack(SIMS.aws && CONNECTIONS.aws, "the AWS simulator and the demo's AWS connection");
  const author = await browser.newPage();
  await signIn(author, "owner");
  const name = unique("Audit logging stays on");
  const created = await apiAs(author, "POST", "/guardrails", {
    controlId: "audit-logging-locked",
    name,
    params: {},
    scope: { all: true },
    mode: "audit",
    remediation: "auto",
  });
  expect(created.status).toBeLessThan(300);
  const id = (created.body as { id: string }).id;

  // The replay reads the trail for the environments Parapet knows: wait for the AWS organisation's discovery.
  const awsEnvironments = async () => {
    const r = await apiAs(author, "GET", "/connections");
    const items = (r.body as { items: { id: string; environments: number }[] }).items;
    return items.find((c) => c.id === CONNECTIONS.aws)?.environments ?? 0;
  };
  await expect.poll(awsEnvironments, { timeout: 120_000 }).toBeGreaterThan(0);

  // The replay, from the guardrail's page.
  await author.goto(`/guardrails/${id}`);
  await author.getByRole("tab", { name: "Would have blocked" }).click();
  await author.getByRole("button", { name: "Replay audit logs" }).click();
  const aws = author.getByTestId("impact-report").filter({ hasText: "AWS" });
  await expect(aws.getByTestId("impact-headline")).toContainText("would have denied", { timeout: 120_000 });
  await expect(aws.getByTestId("impact-groups")).toContainText("cloudtrail:StopLogging");
  await expect(aws.getByTestId("impact-groups")).toContainText("Developer");
  // Break-glass and the connector worked in the same accounts, and are not in the table.
  await expect(aws.getByTestId("impact-groups")).not.toContainText("BreakGlassAdmin");
  await expect(aws.getByTestId("impact-groups")).not.toContainText("ParapetConnector");
  await expect(aws.getByTestId("impact-lockout")).toHaveCount(0);
  await shot(author, "impact-would-have-blocked");

  // An exemption for the environment where CI deletes its dev trail, requested from its row.
  const ciRow = aws.getByTestId("impact-groups").getByRole("row").filter({ hasText: "cloudtrail:DeleteTrail" }).first();
  await ciRow.getByTestId("impact-exempt").click();
  await author.getByLabel("Reason").fill("the dev trail is rebuilt by CI every night");
  await author.getByLabel("Owner e-mail").fill("platform@parapet.local");
  await author.getByRole("dialog").getByRole("button", { name: "Request exemption" }).click();
  await expect(author.getByRole("status").filter({ hasText: "waits for a second member's approval" })).toBeVisible();

  const approver = await browser.newPage();
  await signIn(approver, "approver");
  await approver.goto("/approvals");
  const card = approver.getByTestId("approval").filter({ hasText: name });
  // The approval shows what the guardrail would have blocked.
  await expect(card.getByTestId("approval-impact")).toContainText("calls by");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(approver.getByTestId("approval").filter({ hasText: name })).toHaveCount(0, { timeout: 90_000 });
  await approver.close();

  // A principal the pre-rollout replay never saw denied starts stopping the trail in a prod account.
  const records = (await simAdmin("aws", "GET", "/_admin/cloudtrail/events")) as {
    Records: {
      recipientAccountId: string;
      eventID: string;
      userIdentity: { sessionContext?: { sessionIssuer?: { userName?: string } } };
    }[];
  };
  const prodAccount = records.Records.find(
    (r) => r.eventID.startsWith("5eed") && r.userIdentity.sessionContext?.sessionIssuer?.userName === "agent-runner",
  )!.recipientAccountId;
  const at = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  await simAdmin("aws", "POST", "/_admin/cloudtrail/events", {
    Records: [
      {
        eventVersion: "1.10",
        userIdentity: {
          type: "AssumedRole",
          principalId: "AROANEWCOMER:s1",
          arn: `arn:aws:sts::${prodAccount}:assumed-role/release-bot/s1`,
          accountId: prodAccount,
          sessionContext: {
            sessionIssuer: {
              type: "Role",
              principalId: "AROANEWCOMER",
              arn: `arn:aws:iam::${prodAccount}:role/release-bot`,
              accountId: prodAccount,
              userName: "release-bot",
            },
          },
        },
        eventTime: at,
        eventSource: "cloudtrail.amazonaws.com",
        eventName: "StopLogging",
        awsRegion: "eu-west-1",
        sourceIPAddress: "203.0.113.77",
        requestParameters: { name: "org-trail" },
        responseElements: null,
        eventID: `e2e00000-0000-4000-8000-${String(Date.now()).slice(-12)}`,
        readOnly: false,
        eventType: "AwsApiCall",
        managementEvent: true,
        recipientAccountId: prodAccount,
        eventCategory: "Management",
      },
    ],
  });
  await simAdmin("aws", "POST", "/_admin/cloudtrail/deliver", {});

  // Roll out: a canary on the prod accounts, no waves, no soak (the checks run at the next tick).
  await author.goto(`/guardrails/${id}`);
  await author.getByRole("tab", { name: "Rollout" }).click();
  await author.getByLabel("Canary (label expression)").fill("env=prod");
  await author.getByLabel("Waves (%)").fill("");
  await author.getByLabel("Soak per stage (minutes)").fill("0");
  await author.getByRole("button", { name: "Start rollout to enforce" }).click();
  await expect(author.getByTestId("rollout-current")).toBeVisible();
  // The stage's replay finds release-bot denied, which the baseline never showed: the rollout halts itself.
  await expect(author.getByTestId("rollout-halt")).toContainText("release-bot", { timeout: 240_000 });
  await expect(author.getByTestId("rollout-current")).toHaveAttribute("data-status", "halted");
  await shot(author, "rollout-halted");
  await author.close();
});
