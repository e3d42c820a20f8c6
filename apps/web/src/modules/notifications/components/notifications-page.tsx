"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { EVENT_TYPE_LABELS, NOTIFICATION_EVENT_TYPES, SEVERITIES, type NotificationEventType } from "@parapet/core/notifications/events";
import { CHANNEL_KINDS } from "@parapet/core/notifications/notifications.schema";
import { StatusBadge } from "@/modules/shared/components/badges";
import { CopyButton } from "@/modules/shared/components/copy-button";
import { Empty, PageHeader, QueryState } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { errorMessage, issuesByField, type ApiOutput } from "@/modules/shared/lib/api";
import { oneOf } from "@/modules/shared/lib/contract";
import { ago, dateTime } from "@/modules/shared/lib/format";
import {
  useChannels,
  useCreateChannel,
  useCreateRule,
  useDeleteChannel,
  useDeleteRule,
  useDeliveries,
  useNotificationSettings,
  useRules,
  useSaveNotificationSettings,
  useTestChannel,
  useUpdateChannel,
  useUpdateRule,
} from "../hooks/use-notifications";

type Channel = ApiOutput<"GET /notifications/channels">["items"][number];
type Kind = (typeof CHANNEL_KINDS)[number];

const KIND_LABEL: Record<Kind, string> = {
  slack: "Slack (incoming webhook)",
  teams: "Microsoft Teams (workflow webhook)",
  webhook: "Webhook (signed JSON)",
  pagerduty: "PagerDuty (Events API v2)",
  email: "E-mail",
};

function NewChannel() {
  const create = useCreateChannel();
  const [kind, setKind] = useState<Kind>("slack");
  const [name, setName] = useState("");
  const [target, setTarget] = useState("");
  const [shown, setShown] = useState<string | null>(null);
  const errs = issuesByField(create.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    setShown(null);
    const t = target.trim();
    const body =
      kind === "pagerduty"
        ? { name: name.trim(), kind, routingKey: t }
        : kind === "email"
          ? { name: name.trim(), kind, to: t.split(/[,\s]+/).filter(Boolean) }
          : { name: name.trim(), kind, url: t };
    create.mutate(body, {
      onSuccess: (c) => {
        setShown(c.signingSecret ?? null);
        setName("");
        setTarget("");
      },
    });
  }

  const targetLabel =
    kind === "pagerduty" ? "Integration (routing) key" : kind === "email" ? "Recipients (comma-separated)" : "Webhook URL";
  return (
    <form onSubmit={submit} className="inline-form" aria-label="Add a channel">
      <label htmlFor="ch-kind">Kind</label>
      <select id="ch-kind" value={kind} onChange={(e) => setKind(oneOf(CHANNEL_KINDS, e.target.value) ?? "slack")}>
        {CHANNEL_KINDS.map((k) => (
          <option key={k} value={k}>
            {KIND_LABEL[k]}
          </option>
        ))}
      </select>
      <label htmlFor="ch-name">Name</label>
      <input id="ch-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} placeholder="#sec-alerts" />
      <label htmlFor="ch-target">{targetLabel}</label>
      <input id="ch-target" required value={target} onChange={(e) => setTarget(e.target.value)} style={{ minWidth: 280 }} />
      <button className="btn primary small" type="submit" disabled={create.isPending || !name.trim() || !target.trim()}>
        Add channel
      </button>
      {create.isError && (
        <span className="field-error">{errs.url ?? errs.routingKey ?? errs.to ?? errs.name ?? errorMessage(create.error)}</span>
      )}
      {shown && (
        <div className="success" role="status" data-testid="signing-secret">
          <p>
            Signing key of the new webhook, shown only now: the receiver checks <code>x-parapet-signature</code> = <code>sha256=</code>
            HMAC-SHA256 of <code>&lt;x-parapet-timestamp&gt;.&lt;body&gt;</code> with it.
          </p>
          <code>{shown}</code> <CopyButton text={shown} />
        </div>
      )}
    </form>
  );
}

function DeliveryLog({ channel }: { channel: Channel }) {
  const q = useDeliveries(channel.id);
  return (
    <div data-testid="delivery-log">
      <h3>Delivery log · {channel.name}</h3>
      <QueryState q={q} isEmpty={(d) => d.length === 0} empty={<Empty title="Nothing sent yet">Use “Send test” to try the channel.</Empty>}>
        {(d) => (
          <div className="table-wrap">
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {d.map((x) => (
                  <tr key={x.id}>
                    <td title={dateTime(x.createdAt)}>{ago(x.createdAt)}</td>
                    <td>
                      {EVENT_TYPE_LABELS[x.eventType as NotificationEventType] ??
                        (x.eventType === "channel.test" ? "Test message" : x.eventType)}
                      {x.eventCount > 1 && <span className="muted small"> × {x.eventCount}</span>}
                    </td>
                    <td>
                      <StatusBadge
                        status={x.status === "sent" ? "succeeded" : x.status === "failed" ? "failed" : "pending"}
                        label={x.status}
                      />
                    </td>
                    <td>
                      {x.attempts} / {x.maxAttempts}
                      {x.status === "pending" && x.attempts > 0 && <span className="muted small"> · next {dateTime(x.notBefore)}</span>}
                    </td>
                    <td className="muted small">{x.lastError ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </div>
  );
}

function Channels() {
  const q = useChannels();
  const test = useTestChannel();
  const update = useUpdateChannel();
  const remove = useDeleteChannel();
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="ch-h">
      <h2 id="ch-h">Channels</h2>
      <QueryState
        q={q}
        isEmpty={(d) => d.length === 0}
        empty={<Empty title="No channels yet">Add Slack, Teams, a webhook, PagerDuty or e-mail below.</Empty>}
      >
        {(d) => (
          <div className="table-wrap">
            <table className="list" data-testid="channels">
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Health</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <div>{c.name}</div>
                      <span className="muted small">{c.target}</span>
                    </td>
                    <td>{KIND_LABEL[c.kind]}</td>
                    <td>
                      {!c.enabled ? (
                        <StatusBadge status="disabled" />
                      ) : c.health === "failing" ? (
                        <span title={`since ${dateTime(c.failingSince)}`}>
                          <StatusBadge status="failed" label={`failing (${c.consecutiveFailures} in a row)`} />
                        </span>
                      ) : (
                        <StatusBadge status="succeeded" label={c.lastSuccessAt ? `ok · last sent ${ago(c.lastSuccessAt)}` : "ok"} />
                      )}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="btn small"
                        disabled={test.isPending}
                        onClick={() => (test.mutate(c.id), setOpen(c.id))}
                      >
                        Send test
                      </button>{" "}
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => setOpen(open === c.id ? null : c.id)}
                        aria-expanded={open === c.id}
                      >
                        Delivery log
                      </button>{" "}
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => update.mutate({ id: c.id, body: { enabled: !c.enabled } })}
                      >
                        {c.enabled ? "Disable" : "Enable"}
                      </button>{" "}
                      <button
                        type="button"
                        className="btn small"
                        onClick={() =>
                          window.confirm(`Remove the channel ${c.name}, its rules and its delivery log?`) && remove.mutate(c.id)
                        }
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {test.isSuccess && (
        <p className="success" role="status">
          Test message queued; its outcome appears in the delivery log within seconds.
        </p>
      )}
      {(test.isError || update.isError || remove.isError) && (
        <p className="error">{errorMessage(test.error ?? update.error ?? remove.error)}</p>
      )}
      <NewChannel />
      {open && q.data?.find((c) => c.id === open) && <DeliveryLog channel={q.data.find((c) => c.id === open)!} />}
    </section>
  );
}

function Rules() {
  const rules = useRules();
  const channels = useChannels();
  const create = useCreateRule();
  const update = useUpdateRule();
  const remove = useDeleteRule();
  const [name, setName] = useState("");
  const [channelId, setChannelId] = useState("");
  const [types, setTypes] = useState<NotificationEventType[]>(["drift.detected", "repair.failed"]);
  const [minSeverity, setMinSeverity] = useState<(typeof SEVERITIES)[number]>("info");
  const [labels, setLabels] = useState("");
  const [digest, setDigest] = useState(60);
  const errs = issuesByField(create.error);
  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name ?? id;

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = Object.fromEntries(
      labels
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => p.split("=").map((s) => s.trim()) as [string, string]),
    );
    create.mutate(
      { name: name.trim(), channelId, eventTypes: types, minSeverity, labels: parsed, digestWindowSec: digest },
      { onSuccess: () => setName("") },
    );
  }

  return (
    <section className="card" aria-labelledby="rules-h">
      <h2 id="rules-h">Rules</h2>
      <p className="muted small">
        Which events go to which channel. Events of one type for one channel within the digest window become one message with a count.
      </p>
      <QueryState q={rules} isEmpty={(d) => d.length === 0} empty={<Empty title="No rules yet" />}>
        {(d) => (
          <div className="table-wrap">
            <table className="list" data-testid="rules">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">Events</th>
                  <th scope="col">Filters</th>
                  <th scope="col">Digest</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <div>{r.name}</div>
                      <span className="muted small">→ {channelName(r.channelId)}</span>
                    </td>
                    <td className="small">{r.eventTypes.map((t) => EVENT_TYPE_LABELS[t as NotificationEventType] ?? t).join(", ")}</td>
                    <td className="small muted">
                      {[
                        r.minSeverity !== "info" ? `severity ≥ ${r.minSeverity}` : null,
                        r.connectionIds.length ? `${r.connectionIds.length} connection(s)` : null,
                        r.guardrailIds.length ? `${r.guardrailIds.length} guardrail(s)` : null,
                        ...Object.entries(r.labels).map(([k, v]) => `${k}=${v}`),
                      ]
                        .filter(Boolean)
                        .join(" · ") || "any"}
                    </td>
                    <td>{r.digestWindowSec ? `${r.digestWindowSec} s` : "none"}</td>
                    <td>
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => update.mutate({ id: r.id, body: { enabled: !r.enabled } })}
                      >
                        {r.enabled ? "Disable" : "Enable"}
                      </button>{" "}
                      <button
                        type="button"
                        className="btn small"
                        onClick={() => window.confirm(`Remove the rule ${r.name}?`) && remove.mutate(r.id)}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {(update.isError || remove.isError) && <p className="error">{errorMessage(update.error ?? remove.error)}</p>}
      <form onSubmit={submit} aria-label="Add a rule" className="form-grid">
        <div className="field">
          <label htmlFor="rule-name">Name</label>
          <input id="rule-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          {errs.name && <span className="field-error">{errs.name}</span>}
        </div>
        <div className="field">
          <label htmlFor="rule-channel">Channel</label>
          <select id="rule-channel" required value={channelId} onChange={(e) => setChannelId(e.target.value)}>
            <option value="">Choose…</option>
            {(channels.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          {errs.channelId && <span className="field-error">{errs.channelId}</span>}
        </div>
        <fieldset className="field">
          <legend>Events</legend>
          {NOTIFICATION_EVENT_TYPES.map((t) => (
            <label key={t} className="small" style={{ display: "block" }}>
              <input
                type="checkbox"
                checked={types.includes(t)}
                onChange={(e) => setTypes(e.target.checked ? [...types, t] : types.filter((x) => x !== t))}
              />{" "}
              {EVENT_TYPE_LABELS[t]}
            </label>
          ))}
          {errs.eventTypes && <span className="field-error">{errs.eventTypes}</span>}
        </fieldset>
        <div className="field">
          <label htmlFor="rule-sev">Minimum severity</label>
          <select id="rule-sev" value={minSeverity} onChange={(e) => setMinSeverity(oneOf(SEVERITIES, e.target.value) ?? "info")}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="rule-labels">Environment labels (key=value, comma-separated)</label>
          <input id="rule-labels" value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="env=prod" />
          {errs.labels && <span className="field-error">{errs.labels}</span>}
        </div>
        <div className="field">
          <label htmlFor="rule-digest">Digest window (seconds, 0 = none)</label>
          <input id="rule-digest" type="number" min={0} max={3600} value={digest} onChange={(e) => setDigest(Number(e.target.value))} />
        </div>
        <div className="actions">
          <button
            className="btn primary small"
            type="submit"
            disabled={create.isPending || !name.trim() || !channelId || types.length === 0}
          >
            Add rule
          </button>
          {create.isError && Object.keys(errs).length === 0 && <span className="field-error">{errorMessage(create.error)}</span>}
        </div>
      </form>
    </section>
  );
}

function AlertSettings() {
  const q = useNotificationSettings();
  const save = useSaveNotificationSettings();
  const [warn, setWarn] = useState<string | null>(null);
  const [threshold, setThreshold] = useState<string | null>(null);
  const [maxDays, setMaxDays] = useState<string | null>(null);
  const errs = issuesByField(save.error);
  return (
    <section className="card" aria-labelledby="as-h">
      <h2 id="as-h">Alert settings</h2>
      <QueryState q={q}>
        {(s) => (
          <form
            className="form-grid"
            onSubmit={(e) => {
              e.preventDefault();
              const days = (warn ?? s.expiryWarnDays.join(", "))
                .split(/[,\s]+/)
                .filter(Boolean)
                .map(Number);
              const t = threshold ?? (s.coverageThreshold === null ? "" : String(s.coverageThreshold));
              save.mutate({
                expiryWarnDays: days,
                coverageThreshold: t.trim() === "" ? null : Number(t),
                exemptionMaxDays: Number(maxDays ?? s.exemptionMaxDays),
              });
            }}
          >
            <div className="field">
              <label htmlFor="as-warn">Warn before an exemption ends (days)</label>
              <input id="as-warn" value={warn ?? s.expiryWarnDays.join(", ")} onChange={(e) => setWarn(e.target.value)} />
              {errs.expiryWarnDays && <span className="field-error">{errs.expiryWarnDays}</span>}
            </div>
            <div className="field">
              <label htmlFor="as-cov">Coverage threshold (%; empty = off)</label>
              <input
                id="as-cov"
                value={threshold ?? (s.coverageThreshold === null ? "" : String(s.coverageThreshold))}
                onChange={(e) => setThreshold(e.target.value)}
              />
              {errs.coverageThreshold && <span className="field-error">{errs.coverageThreshold}</span>}
            </div>
            <div className="field">
              <label htmlFor="as-max">Longest exemption (days)</label>
              <input
                id="as-max"
                type="number"
                min={1}
                max={365}
                value={maxDays ?? s.exemptionMaxDays}
                onChange={(e) => setMaxDays(e.target.value)}
              />
              {errs.exemptionMaxDays && <span className="field-error">{errs.exemptionMaxDays}</span>}
            </div>
            <div className="actions">
              <button className="btn primary small" type="submit" disabled={save.isPending}>
                Save
              </button>
              {save.isSuccess && <span className="success">Saved.</span>}
            </div>
          </form>
        )}
      </QueryState>
    </section>
  );
}

export function NotificationsPage() {
  const canManage = useCan("notification", "manage");
  return (
    <>
      <PageHeader
        title="Notifications"
        subtitle={
          <>
            <Link href="/settings">Settings</Link> · where Parapet tells people about drift, repairs, approvals, exemptions and denials
          </>
        }
      />
      {canManage ? (
        <div className="stack">
          <Channels />
          <Rules />
          <AlertSettings />
        </div>
      ) : (
        <Empty title="Only admins manage notifications">Channels hold webhook secrets; ask an admin of this workspace.</Empty>
      )}
    </>
  );
}
