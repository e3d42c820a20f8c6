"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { HierarchyTree } from "@/modules/environments/components/hierarchy-tree";
import { CloudBadge, StatusBadge } from "@/modules/shared/components/badges";
import { CopyButton } from "@/modules/shared/components/copy-button";
import { Dialog } from "@/modules/shared/components/dialog";
import { ErrorState, Loading, PageHeader } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { apiCall, errorMessage, issuesByField } from "@/modules/shared/lib/api";
import { CLOUD_ROOT, ago, dateTime, num } from "@/modules/shared/lib/format";
import { AwsAuditSourceCard } from "./audit-source-form";
import { useConnection, useConnectionAction, useDeleteConnection, usePreviewRun, useUpdateConnection } from "../hooks/use-connections";
import { PlanTable } from "./plan-table";
import { PosturePanel } from "./posture-panel";
import { setupPending } from "./connections-panel";

function ActionButton({ id, action, label }: { id: string; action: "verify" | "discover" | "preview" | "reconcile"; label: string }) {
  const m = useConnectionAction(id, action);
  return (
    <button
      className="btn small"
      type="button"
      disabled={m.isPending}
      onClick={() => m.mutate()}
      title={m.isError ? errorMessage(m.error) : undefined}
    >
      {m.isPending ? `${label}…` : m.isSuccess ? `${label} queued` : label}
    </button>
  );
}

export function ConnectionDetail({ id }: { id: string }) {
  const q = useConnection(id, { poll: false });
  const canWrite = useCan("connection", "write");
  const update = useUpdateConnection(id);
  const del = useDeleteConnection();
  const router = useRouter();
  const preview = usePreviewRun(id, false);
  const [confirm, setConfirm] = useState("");
  const [askDelete, setAskDelete] = useState(false);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [secretErr, setSecretErr] = useState<string | null>(null);
  const [interval, setIntervalValue] = useState<string>("");

  if (q.isPending) return <Loading rows={6} />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const c = q.data;
  const vr = c.verifyResult;
  return (
    <>
      <PageHeader
        title={c.name}
        subtitle={
          <>
            <CloudBadge cloud={c.cloud} /> {CLOUD_ROOT[c.cloud]} {c.rootId && <code>{c.rootId}</code>} · <StatusBadge status={c.status} />
          </>
        }
        actions={
          canWrite && (
            <>
              {setupPending(c) && (
                <Link className="btn primary small" href={`/connections/${c.id}/setup`}>
                  Resume setup
                </Link>
              )}
              <ActionButton id={id} action="verify" label="Verify" />
              <ActionButton id={id} action="discover" label="Discover" />
              <ActionButton id={id} action="preview" label="Preview plan" />
              <ActionButton id={id} action="reconcile" label="Reconcile now" />
            </>
          )
        }
      />
      <div className="grid">
        <div className="card">
          <div className="muted">Environments</div>
          <div className="stat">{num(c.environments)}</div>
        </div>
        <div className="card">
          <div className="muted">Last reconcile</div>
          <div className="stat small-stat">{ago(c.lastReconciledAt)}</div>
          <div className="muted small">{c.lastReconcileStatus ?? ""}</div>
        </div>
        <div className="card">
          <div className="muted">Last verified</div>
          <div className="stat small-stat">{ago(c.lastVerifiedAt)}</div>
          <div className="muted small">
            {vr ? (vr.ok ? `ok${vr.identity ? ` as ${vr.identity}` : ""}` : `${vr.missing?.length ?? 0} permission(s) missing`) : ""}
          </div>
        </div>
        <div className="card">
          <div className="muted">Last discovery</div>
          <div className="stat small-stat">{ago(c.lastDiscoveredAt)}</div>
        </div>
      </div>
      {c.lastError && (
        <p className="error" role="alert">
          {c.lastError}
        </p>
      )}
      <PosturePanel id={c.id} />
      <div className="two-col">
        <section className="card">
          <h2>Hierarchy</h2>
          <HierarchyTree connectionId={c.id} />
        </section>
        <div className="stack">
          <section className="card">
            <h2>Settings</h2>
            <dl className="dl">
              <dt>Credential</dt>
              <dd>
                {Object.entries(c.credentialHints).map(([k, v]) => (
                  <div key={k}>
                    {k}: <code>{String(v)}</code>
                  </div>
                ))}
              </dd>
              <dt>Endpoint</dt>
              <dd>{c.endpoint ?? "public"}</dd>
              <dt>Polling</dt>
              <dd>every {c.pollIntervalSec} s</dd>
            </dl>
            {canWrite && (
              <form
                className="inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  update.mutate({ pollIntervalSec: Number(interval) });
                }}
              >
                <label htmlFor="poll">Poll interval (seconds)</label>
                <input
                  id="poll"
                  type="number"
                  min={30}
                  max={86400}
                  required
                  value={interval}
                  placeholder={String(c.pollIntervalSec)}
                  onChange={(e) => setIntervalValue(e.target.value)}
                />
                <button className="btn small" type="submit" disabled={update.isPending || !interval}>
                  Save
                </button>
                {update.isError && (
                  <span className="field-error">{issuesByField(update.error).pollIntervalSec ?? errorMessage(update.error)}</span>
                )}
              </form>
            )}
          </section>
          {canWrite && (
            <section className="card">
              <h2>Cloud events</h2>
              <p className="muted small">
                Point your cloud's audit event delivery at Parapet so changes are repaired in seconds, not at the next poll. The secret is
                shown once.
              </p>
              {secret ? (
                <dl className="dl">
                  <dt>URL</dt>
                  <dd>
                    <code>{secret.url}</code> <CopyButton text={secret.url} />
                  </dd>
                  <dt>Secret</dt>
                  <dd>
                    <code>{secret.secret}</code> <CopyButton text={secret.secret} />
                  </dd>
                </dl>
              ) : (
                <button
                  className="btn small"
                  type="button"
                  onClick={() => {
                    setSecretErr(null);
                    apiCall("POST /connections/{id}/event-secret", { params: { id } })
                      .then(setSecret)
                      .catch((e: unknown) => setSecretErr(errorMessage(e)));
                  }}
                >
                  Generate event secret
                </button>
              )}
              {secretErr && <p className="error">{secretErr}</p>}
            </section>
          )}
          {c.cloud === "aws" && <AwsAuditSourceCard id={c.id} auditSource={c.auditSource} canWrite={canWrite} />}
          <section className="card">
            <h2>Latest plan preview</h2>
            {preview.isPending ? (
              <Loading rows={2} />
            ) : preview.data?.plan ? (
              <PlanTable plan={preview.data.plan} />
            ) : (
              <p className="muted">No preview yet.</p>
            )}
            {preview.data && (
              <p className="muted small">
                Status {preview.data.status}, {dateTime(preview.data.finishedAt ?? preview.data.startedAt)}
              </p>
            )}
          </section>
          {canWrite && (
            <section className="card danger-zone">
              <h2>Remove connection</h2>
              <p className="muted small">Parapet stops managing this {CLOUD_ROOT[c.cloud]}. Nothing in the cloud is changed or deleted.</p>
              <button className="btn danger small" type="button" onClick={() => setAskDelete(true)}>
                Remove…
              </button>
            </section>
          )}
        </div>
      </div>
      <Dialog open={askDelete} onClose={() => setAskDelete(false)} title="Remove connection">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            del.mutate({ id, name: confirm }, { onSuccess: () => router.push("/connections") });
          }}
        >
          <div className="field">
            <label htmlFor="confirm-name">
              Type <strong>{c.name}</strong> to confirm
            </label>
            <input id="confirm-name" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" />
          </div>
          {del.isError && <p className="error">{errorMessage(del.error)}</p>}
          <div className="actions">
            <button className="btn" type="button" onClick={() => setAskDelete(false)}>
              Cancel
            </button>
            <button className="btn danger" type="submit" disabled={confirm !== c.name || del.isPending}>
              Remove
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
