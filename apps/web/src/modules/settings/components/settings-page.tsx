"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { ROLES, type Role } from "@parapet/core/identity/roles";
import { CopyButton } from "@/modules/shared/components/copy-button";
import { Empty, PageHeader, QueryState } from "@/modules/shared/components/states";
import { useCan, useMe } from "@/modules/shared/hooks/use-me";
import { errorMessage, issuesByField } from "@/modules/shared/lib/api";
import { ago, dateTime, until } from "@/modules/shared/lib/format";
import { oneOf, type WorkspaceSettings } from "@/modules/shared/lib/contract";
import { SecuritySection, SignInPolicySection } from "@/modules/security/components/security-section";
import { SessionsSection } from "@/modules/sessions/components/sessions-section";
import { ScimSection } from "@/modules/sso/components/scim-section";
import { SsoSection } from "@/modules/sso/components/sso-section";
import {
  useCreateToken,
  useDeleteToken,
  useEndMemberSessions,
  useInvite,
  useMemberMutation,
  useMembers,
  useResetMemberMfa,
  useRevokeInvitation,
  useSaveSettings,
  useTokens,
  useWorkspaceSettings,
} from "../hooks/use-settings";

const ROLE_HELP: Record<Role, string> = {
  owner: "everything, including removing admins",
  admin: "connections, members, tokens, settings",
  author: "writes guardrails, requests exemptions",
  approver: "signs off weakening changes",
  viewer: "reads everything, changes nothing",
};
const ORDER: Role[] = ["viewer", "approver", "author", "admin", "owner"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function Members({ canManage }: { canManage: boolean }) {
  const q = useMembers();
  const me = useMe();
  const mutate = useMemberMutation();
  const invite = useInvite();
  const revoke = useRevokeInvitation();
  const endSessions = useEndMemberSessions();
  const resetMfa = useResetMemberMfa();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("author");
  const [sent, setSent] = useState<{ email: string; url?: string; emailed: boolean } | null>(null);
  const [copied, setCopied] = useState(false);
  const inviteErr = issuesByField(invite.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    setSent(null);
    setCopied(false);
    const to = email.trim();
    invite.mutate(
      { email: to, role },
      {
        onSuccess: (inv) => (
          setSent({ email: to, emailed: inv.emailQueued === true, ...(inv.inviteUrl ? { url: inv.inviteUrl } : {}) }),
          setEmail("")
        ),
      },
    );
  }

  return (
    <section className="card" aria-labelledby="mem-h">
      <h2 id="mem-h">Members</h2>
      <QueryState q={q} isEmpty={(d) => d.members.length === 0} empty={<Empty title="No members" />}>
        {(d) => (
          <div className="table-wrap">
            <table className="list" data-testid="members">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.members.map((m) => {
                  const self = m.user.email === me.data?.user.email;
                  return (
                    <tr key={m.id}>
                      <td>
                        {m.user.name && <div>{m.user.name}</div>}
                        <span className="muted small">{m.user.email}</span>
                      </td>
                      <td>
                        {canManage && !self ? (
                          <>
                            <label className="sr-only" htmlFor={`role-${m.id}`}>
                              Role of {m.user.email}
                            </label>
                            <select
                              id={`role-${m.id}`}
                              value={m.role}
                              disabled={mutate.isPending}
                              onChange={(e) => mutate.mutate({ id: m.id, role: oneOf(ROLES, e.target.value) ?? m.role })}
                            >
                              {ROLES.map((r) => (
                                <option key={r} value={r}>
                                  {r}
                                </option>
                              ))}
                            </select>
                          </>
                        ) : (
                          <span className="badge neutral">{m.role}</span>
                        )}
                      </td>
                      <td>
                        {canManage && !self && (
                          <button
                            type="button"
                            className="btn small"
                            onClick={() =>
                              window.confirm(`Remove ${m.user.email} from the workspace?`) && mutate.mutate({ id: m.id, role: null })
                            }
                          >
                            Remove
                          </button>
                        )}
                        {canManage && !self && (
                          <button
                            type="button"
                            className="btn small"
                            style={{ marginLeft: 8 }}
                            disabled={endSessions.isPending}
                            onClick={() => window.confirm(`Sign ${m.user.email} out everywhere?`) && endSessions.mutate(m.id)}
                          >
                            End sessions
                          </button>
                        )}
                        {canManage && !self && (
                          <button
                            type="button"
                            className="btn small"
                            style={{ marginLeft: 8 }}
                            disabled={resetMfa.isPending}
                            onClick={() =>
                              window.confirm(
                                `Reset ${m.user.email}'s two-factor sign-in? Their authenticator and recovery codes stop working and they are signed out.${m.role === "owner" ? " Another owner must approve." : ""}`,
                              ) && resetMfa.mutate(m.id)
                            }
                          >
                            Reset 2FA
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
                {d.invitations
                  .filter((i) => !i.status || i.status === "pending")
                  .map((i) => (
                    <tr key={i.id}>
                      <td>
                        <span className="muted small">{i.email}</span>
                      </td>
                      <td>
                        <span className="badge warn">invited · {i.role}</span>
                      </td>
                      <td className="muted small">
                        {i.expiresAt ? `expires ${until(i.expiresAt)}` : ""}
                        {canManage && (
                          <button
                            type="button"
                            className="btn small"
                            style={{ marginLeft: 8 }}
                            disabled={revoke.isPending}
                            onClick={() =>
                              window.confirm(`Withdraw the invitation of ${i.email}? Its link stops working.`) && revoke.mutate(i.id)
                            }
                          >
                            Withdraw
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {mutate.isError && <p className="error">{errorMessage(mutate.error)}</p>}
      {revoke.isError && <p className="error">{errorMessage(revoke.error)}</p>}
      {endSessions.isError && <p className="error">{errorMessage(endSessions.error)}</p>}
      {endSessions.isSuccess && <p className="success">Signed out of {endSessions.data.ended} session(s).</p>}
      {resetMfa.isError && <p className="error">{errorMessage(resetMfa.error)}</p>}
      {resetMfa.isSuccess && (
        <p className="success" role="status">
          {"approval" in resetMfa.data ? (
            <>
              Another owner must approve this reset: <Link href="/approvals">Approvals</Link>.
            </>
          ) : (
            <>Two-factor sign-in reset; they were signed out of {resetMfa.data.sessionsEnded} session(s).</>
          )}
        </p>
      )}
      {canManage && (
        <form onSubmit={submit} className="inline-form" aria-label="Invite a member">
          <label htmlFor="inv-email">Invite by e-mail</label>
          <input
            id="inv-email"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            placeholder="name@company.com"
          />
          <label htmlFor="inv-role" className="sr-only">
            Role
          </label>
          <select id="inv-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r} — {ROLE_HELP[r]}
              </option>
            ))}
          </select>
          <button className="btn primary small" type="submit" disabled={invite.isPending || !email.trim()}>
            Send invitation
          </button>
          {invite.isError && <span className="field-error">{inviteErr.email ?? inviteErr.role ?? errorMessage(invite.error)}</span>}
        </form>
      )}
      {canManage && sent && (
        <div className="success" role="status" data-testid="invitation-link">
          <p>
            Invitation for <strong>{sent.email}</strong> created.{" "}
            {sent.emailed ? "Parapet is e-mailing them their own link." : "Parapet could not queue the e-mail to them."} The link below is
            shown only now and works for 7 days, but only for someone who already has a verified Parapet account at that address: a new
            account needs the link from the e-mail, which proves the mailbox (withdraw the invitation if it goes astray; a failed e-mail
            shows in the audit log).
          </p>
          {sent.url && (
            <div className="inline-form">
              <label className="sr-only" htmlFor="inv-link">
                Invitation link
              </label>
              <input id="inv-link" readOnly value={sent.url} onFocus={(e) => e.currentTarget.select()} style={{ flex: 1, minWidth: 0 }} />
              <button
                type="button"
                className="btn small"
                onClick={() =>
                  void navigator.clipboard
                    ?.writeText(sent.url ?? "")
                    .then(() => setCopied(true))
                    .catch(() => undefined)
                }
              >
                {copied ? "Copied" : "Copy link"}
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function Tokens({ myRole }: { myRole: Role }) {
  const q = useTokens(true);
  const create = useCreateToken();
  const del = useDeleteToken();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [days, setDays] = useState("90");
  const [scope, setScope] = useState<"read" | "plan" | "apply">("read");
  const [type, setType] = useState<"personal" | "ci">("personal");
  const [shown, setShown] = useState<string | null>(null);
  const allowed = ORDER.slice(0, ORDER.indexOf(myRole) + 1);

  function submit(e: FormEvent) {
    e.preventDefault();
    setShown(null);
    create.mutate(
      { name: name.trim(), role, scope, type, ...(days ? { expiresInDays: Number(days) } : {}) },
      { onSuccess: (r) => (setShown(r.token), setName("")) },
    );
  }

  return (
    <section className="card" aria-labelledby="tok-h">
      <h2 id="tok-h">API tokens</h2>
      <p className="muted small">
        For CI pipelines and the CLI (header <code>Authorization: Bearer</code> or <code>x-api-key</code>). A token never has more power
        than you; its scope narrows it further: <em>read</em> only reads, <em>plan</em> may also run plans, <em>apply</em> may change what
        its role allows. A CI token is bound to this workspace and expires within 90 days.
      </p>
      {shown && (
        <div className="success" role="status" data-testid="new-token">
          Copy this token now; it will not be shown again: <code>{shown}</code> <CopyButton text={shown} />
        </div>
      )}
      <QueryState q={q} isEmpty={(d) => d.length === 0} empty={<p className="muted">No tokens yet.</p>}>
        {(items) => (
          <div className="table-wrap">
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((t) => (
                  <tr key={t.id}>
                    <td>
                      {t.name} {t.start && <code className="muted small">{t.start}…</code>}
                    </td>
                    <td>{t.role}</td>
                    <td>
                      {t.scope}
                      {t.type === "ci" && <span className="muted small"> · CI</span>}
                    </td>
                    <td className="muted">{ago(t.createdAt)}</td>
                    <td className="muted">{t.expiresAt ? dateTime(t.expiresAt) : "never"}</td>
                    <td className="muted">{t.lastUsedAt ? ago(t.lastUsedAt) : "never"}</td>
                    <td>
                      <button
                        type="button"
                        className="btn small"
                        disabled={del.isPending}
                        onClick={() => window.confirm(`Revoke token “${t.name}”?`) && del.mutate(t.id)}
                      >
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      <form onSubmit={submit} className="inline-form" aria-label="Create a token">
        <label htmlFor="tok-name">New token name</label>
        <input id="tok-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} placeholder="ci-pipeline" />
        <label htmlFor="tok-role">Role</label>
        <select id="tok-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {allowed.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <label htmlFor="tok-scope">Scope</label>
        <select id="tok-scope" value={scope} onChange={(e) => setScope(e.target.value as "read" | "plan" | "apply")}>
          <option value="read">read</option>
          <option value="plan">plan</option>
          <option value="apply">apply</option>
        </select>
        <label htmlFor="tok-type">Type</label>
        <select id="tok-type" value={type} onChange={(e) => setType(e.target.value as "personal" | "ci")}>
          <option value="personal">personal</option>
          <option value="ci">CI (this workspace, ≤ 90 days)</option>
        </select>
        <label htmlFor="tok-days">Expires in (days)</label>
        <input id="tok-days" type="number" min={1} max={365} value={days} onChange={(e) => setDays(e.target.value)} />
        <button className="btn primary small" type="submit" disabled={create.isPending || !name.trim()}>
          Create token
        </button>
        {(create.isError || del.isError) && <span className="field-error">{errorMessage(create.error ?? del.error)}</span>}
      </form>
    </section>
  );
}

function Notifications({ canWrite }: { canWrite: boolean }) {
  const q = useWorkspaceSettings();
  const save = useSaveSettings();
  const [draft, setDraft] = useState<WorkspaceSettings | null>(null);
  const errs = issuesByField(save.error);
  return (
    <section className="card" aria-labelledby="not-h">
      <h2 id="not-h">Weekly report</h2>
      <QueryState q={q}>
        {(s) => {
          const v = draft ?? s;
          return (
            <form
              className="stack"
              onSubmit={(e) => {
                e.preventDefault();
                save.mutate(v, { onSuccess: () => setDraft(null) });
              }}
            >
              <fieldset disabled={!canWrite} className="form-grid">
                <div className="field">
                  <label htmlFor="tz">Time zone</label>
                  <input
                    id="tz"
                    value={v.timezone}
                    maxLength={64}
                    onChange={(e) => setDraft({ ...v, timezone: e.target.value })}
                    placeholder="Europe/London"
                  />
                  {errs.timezone && <span className="field-error">{errs.timezone}</span>}
                </div>
                <div className="field">
                  <label htmlFor="rday">Day</label>
                  <select id="rday" value={v.reportDay} onChange={(e) => setDraft({ ...v, reportDay: Number(e.target.value) })}>
                    {DAYS.map((d, i) => (
                      <option key={d} value={i}>
                        {d}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="rhour">Hour</label>
                  <select id="rhour" value={v.reportHour} onChange={(e) => setDraft({ ...v, reportHour: Number(e.target.value) })}>
                    {Array.from({ length: 24 }, (_, h) => (
                      <option key={h} value={h}>
                        {String(h).padStart(2, "0")}:00
                      </option>
                    ))}
                  </select>
                </div>
              </fieldset>
              {canWrite && (
                <div className="actions">
                  <button className="btn primary small" type="submit" disabled={!draft || save.isPending}>
                    Save
                  </button>
                  {save.isSuccess && !draft && <span className="success">Saved.</span>}
                  {save.isError && Object.keys(errs).length === 0 && <span className="field-error">{errorMessage(save.error)}</span>}
                </div>
              )}
            </form>
          );
        }}
      </QueryState>
    </section>
  );
}

export function SettingsPage() {
  const me = useMe();
  const canManage = useCan("settings", "write");
  const canTokens = useCan("token", "manage");
  const canAlerts = useCan("notification", "manage");
  return (
    <>
      <PageHeader title="Settings" subtitle={me.data ? `${me.data.workspace.name} · you are ${me.data.role}` : undefined} />
      <div className="stack">
        <Members canManage={canManage} />
        {canTokens && me.data && <Tokens myRole={me.data.role} />}
        <Notifications canWrite={canManage} />
        <SecuritySection />
        <SessionsSection />
        {canManage && <SignInPolicySection canWrite={canManage} />}
        {canManage && <SsoSection canWrite={canManage} />}
        {canManage && <ScimSection canWrite={canManage} />}
        {canAlerts && (
          <section className="card" aria-labelledby="alerts-h">
            <h2 id="alerts-h">Alerts</h2>
            <p>
              Slack, Teams, webhook, PagerDuty and e-mail channels, the rules that feed them, and each channel&apos;s delivery log:{" "}
              <Link href="/settings/notifications">Notifications</Link>.
            </p>
          </section>
        )}
      </div>
    </>
  );
}
