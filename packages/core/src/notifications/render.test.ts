/** The pure parts of alerts: rule matching, Retry-After, and message limits of each service. */
import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./deliver.ts";
import { pagerDutyEvents, slackPayload, type RenderInput } from "./render.ts";
import { ruleMatches } from "./route.ts";

const ev = (over: Partial<RenderInput["events"][number]> = {}): RenderInput["events"][number] => ({
  id: "e1",
  type: "drift.detected",
  severity: "warning",
  title: "x".repeat(400),
  connectionId: "c1",
  guardrailId: "g1",
  labels: { env: "prod" },
  detail: {},
  dedupKey: "drift:f1",
  resolves: false,
  createdAt: new Date("2026-12-07T10:00:00Z"),
  ...over,
});
const input = (events: RenderInput["events"], count = events.length): RenderInput => ({
  deliveryId: "d1",
  workspaceId: "w1",
  workspaceName: "Acme",
  eventType: "drift.detected",
  count,
  events,
  baseUrl: "https://parapet.example",
});

describe("rules", () => {
  const rule = { eventTypes: ["drift.detected"], connectionIds: [], guardrailIds: [], labels: {}, minSeverity: "info" };
  it("match on type, severity floor, connection, guardrail and every label", () => {
    expect(ruleMatches(rule, ev())).toBe(true);
    expect(ruleMatches(rule, ev({ type: "drift.repaired" }))).toBe(false);
    expect(ruleMatches({ ...rule, minSeverity: "critical" }, ev())).toBe(false);
    expect(ruleMatches({ ...rule, connectionIds: ["c2"] }, ev())).toBe(false);
    expect(ruleMatches({ ...rule, guardrailIds: ["g1"] }, ev())).toBe(true);
    expect(ruleMatches({ ...rule, guardrailIds: ["g1"] }, ev({ guardrailId: null }))).toBe(false);
    expect(ruleMatches({ ...rule, labels: { env: "prod", team: "a" } }, ev())).toBe(false);
    expect(ruleMatches({ ...rule, labels: { env: "prod" } }, ev())).toBe(true);
  });
});

describe("Retry-After", () => {
  const now = new Date("2026-12-07T10:00:00Z");
  it("reads delta-seconds and HTTP dates (RFC 9110 §10.2.3)", () => {
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter("Mon, 07 Dec 2026 10:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("message limits", () => {
  it("Slack header text stays within 150 characters", () => {
    const p = slackPayload(input([ev()]));
    const header = (p.blocks as Array<{ text: { text: string } }>)[0]!.text.text;
    expect(header.length).toBe(150);
  });
  it("PagerDuty: summary ≤ 1024, resolve without payload, digest keyed by the delivery", () => {
    const [t] = pagerDutyEvents(input([ev({ title: "y".repeat(2000) })]), "k");
    expect((t!.payload as { summary: string }).summary.length).toBe(1024);
    expect(pagerDutyEvents(input([ev({ resolves: true })]), "k")).toEqual([
      { routing_key: "k", event_action: "resolve", dedup_key: "parapet:drift:f1" },
    ]);
    expect(pagerDutyEvents(input([ev(), ev({ id: "e2" })], 7), "k")[0]).toMatchObject({
      event_action: "trigger",
      dedup_key: "parapet:delivery:d1",
    });
  });
});
