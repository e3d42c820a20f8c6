"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { HierarchyTree } from "@/modules/environments/components/hierarchy-tree";
import { useChildNodes } from "@/modules/environments/hooks/use-nodes";
import { useCatalog } from "@/modules/guardrails/hooks/use-catalog";
import { useCreateGuardrail, useGuardrails } from "@/modules/guardrails/hooks/use-guardrails";
import { apiCall, errorMessage, issuesByField } from "@/modules/shared/lib/api";
import { CloudBadge, FidelityBadge, StatusBadge } from "@/modules/shared/components/badges";
import { ErrorState, Loading } from "@/modules/shared/components/states";
import { CLOUD_NAME, CLOUD_ROOT, ago, num } from "@/modules/shared/lib/format";
import { CLOUDS, type Bootstrap, type Cloud, type Connection, type Guardrail } from "@/modules/shared/lib/contract";
import {
  useBootstrap,
  useConnection,
  useConnectionAction,
  useCreateConnection,
  usePreviewRun,
  useRotateCredentials,
  useScanPosture,
  useUpdateConnection,
} from "../hooks/use-connections";
import { connectionPayload } from "../lib/cloud-forms";
import { BASELINE_CONTROLS, WIZARD_STEPS, readWizardState, stepIndex, type WizardState, type WizardStep } from "../lib/wizard";
import { AwsAuditSourceCard } from "./audit-source-form";
import { BootstrapView } from "./bootstrap-view";
import { CredentialsForm } from "./credentials-form";
import { PostureFit } from "./posture-panel";
import { PlanTable } from "./plan-table";

const CLOUD_BLURB: Record<Cloud, string> = {
  aws: "Service and resource control policies across your AWS Organization.",
  azure: "Policy initiatives and assignments from the root management group.",
  gcp: "Organization policies, custom constraints and IAM deny policies.",
  oci: "IAM deny statements and security zones across compartments.",
};

function Stepper({ current }: { current: WizardStep }) {
  const idx = stepIndex(current);
  return (
    <ol className="stepper" aria-label="Onboarding steps">
      {WIZARD_STEPS.map((s, i) => (
        <li key={s.id} className={i < idx ? "done" : i === idx ? "current" : undefined} aria-current={i === idx ? "step" : undefined}>
          <span className="num" aria-hidden="true">
            {i < idx ? "✓" : i + 1}
          </span>
          <span className="lbl">{s.label}</span>
          {i < idx && <span className="sr-only"> (completed)</span>}
        </li>
      ))}
    </ol>
  );
}

function StepCard({ title, children, footer }: { title: string; children: React.ReactNode; footer?: React.ReactNode }) {
  const h = useRef<HTMLHeadingElement>(null);
  // Moving focus to the new step's heading tells screen-reader and keyboard users the step changed.
  useEffect(() => h.current?.focus(), [title]);
  return (
    <section className="card wizard-step">
      <h2 ref={h} tabIndex={-1}>
        {title}
      </h2>
      {children}
      {footer && <div className="wizard-foot">{footer}</div>}
    </section>
  );
}

/** The generated bootstrap is kept for the tab's life so the external id survives a reload. */
function useStableBootstrap(cloud: Cloud | null) {
  const q = useBootstrap(cloud);
  const [cached, setCached] = useState<Bootstrap | null>(null);
  useEffect(() => {
    if (!cloud) return;
    const raw = sessionStorage.getItem(`parapet:bootstrap:${cloud}`);
    if (raw) setCached(JSON.parse(raw) as Bootstrap);
  }, [cloud]);
  useEffect(() => {
    if (cloud && q.data && !sessionStorage.getItem(`parapet:bootstrap:${cloud}`)) {
      sessionStorage.setItem(`parapet:bootstrap:${cloud}`, JSON.stringify(q.data));
      setCached(q.data);
    }
  }, [cloud, q.data]);
  return { ...q, data: cached ?? q.data };
}

// ——— steps before the connection exists ———

function ChooseCloud({ cloud, onPick }: { cloud: Cloud | null; onPick: (c: Cloud) => void }) {
  const [sel, setSel] = useState<Cloud | null>(cloud);
  return (
    <StepCard
      title="Which cloud are you connecting?"
      footer={
        <button className="btn primary" type="button" disabled={!sel} onClick={() => sel && onPick(sel)}>
          Continue
        </button>
      }
    >
      <fieldset className="cloud-pick">
        <legend className="sr-only">Cloud</legend>
        {CLOUDS.map((c) => (
          <label key={c} className={sel === c ? "selected" : undefined}>
            <input type="radio" name="cloud" value={c} checked={sel === c} onChange={() => setSel(c)} />
            <span>
              <strong>{CLOUD_ROOT[c]}</strong>
              <span className="help">{CLOUD_BLURB[c]}</span>
            </span>
          </label>
        ))}
      </fieldset>
    </StepCard>
  );
}

function BootstrapStep({ cloud, onBack, onNext }: { cloud: Cloud; onBack: () => void; onNext: () => void }) {
  const q = useStableBootstrap(cloud);
  const [done, setDone] = useState(false);
  return (
    <StepCard
      title={`Grant Parapet least-privilege access to your ${CLOUD_ROOT[cloud]}`}
      footer={
        <>
          <button className="btn" type="button" onClick={onBack}>
            Back
          </button>
          <button className="btn primary" type="button" disabled={!done || !q.data} onClick={onNext}>
            Continue
          </button>
        </>
      }
    >
      <p className="muted">
        Run this once with an administrator of the {CLOUD_ROOT[cloud]}. It creates the connector identity with only the permissions listed
        below: Parapet can read the hierarchy and manage the policies it owns, nothing else.
      </p>
      {q.isPending && !q.data ? (
        <Loading rows={6} />
      ) : q.isError && !q.data ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : q.data ? (
        <BootstrapView b={q.data} />
      ) : null}
      <label className="check">
        <input type="checkbox" checked={done} onChange={(e) => setDone(e.target.checked)} /> I have run the bootstrap in my{" "}
        {CLOUD_NAME[cloud]} account
      </label>
    </StepCard>
  );
}

function CredentialsStep({ cloud, onBack, onCreated }: { cloud: Cloud; onBack: () => void; onCreated: (c: Connection) => void }) {
  const boot = useStableBootstrap(cloud);
  const create = useCreateConnection();
  return (
    <StepCard title="Identifiers and credentials">
      <p className="muted">
        Credentials are encrypted before they are stored and are only ever decrypted by Parapet's worker. They are never shown again.
      </p>
      <CredentialsForm
        cloud={cloud}
        externalId={boot.data?.externalId}
        pending={create.isPending}
        serverErrors={issuesByField(create.error)}
        submitLabel="Save and verify"
        onSubmit={(d) =>
          create.mutate(connectionPayload(cloud, d, { externalId: boot.data?.externalId }), {
            onSuccess: (c) => {
              sessionStorage.removeItem(`parapet:bootstrap:${cloud}`);
              // Saved on the connection so the wizard resumes here from any device.
              void apiCall("PATCH /connections/{id}", { params: { id: c.id }, body: { wizardState: { step: "verify" } } })
                .catch(() => undefined)
                .then(() => onCreated(c));
            },
          })
        }
      />
      {create.isError && Object.keys(issuesByField(create.error)).length === 0 && <ErrorState error={create.error} />}
      <div className="wizard-foot">
        <button className="btn" type="button" onClick={onBack}>
          Back
        </button>
      </div>
    </StepCard>
  );
}

// ——— steps on a saved connection ———

function VerifyStep({ c, onNext }: { c: Connection; onNext: () => void }) {
  const verify = useConnectionAction(c.id, "verify");
  const rotate = useRotateCredentials(c.id);
  const [showRotate, setShowRotate] = useState(false);
  const vr = c.verifyResult;
  const verifying = c.status === "verifying" || verify.isPending;
  const ok = c.status === "active" && !!vr?.ok;
  return (
    <StepCard
      title="Verify access"
      footer={
        <>
          <button className="btn" type="button" disabled={verifying} onClick={() => verify.mutate()}>
            Verify again
          </button>
          <button className="btn primary" type="button" disabled={!ok} onClick={onNext}>
            Continue
          </button>
        </>
      }
    >
      <div aria-live="polite" data-testid="verify-status">
        {verifying ? (
          <p className="progress">
            <span className="spinner" aria-hidden="true" /> Checking every permission Parapet needs against your {CLOUD_ROOT[c.cloud]}…
          </p>
        ) : ok ? (
          <p className="success">Verified{vr?.identity ? ` as ${vr.identity}` : ""}. Every permission Parapet needs is granted.</p>
        ) : vr ? (
          <p className="error">Verification failed{c.lastError ? `: ${c.lastError}` : "."}</p>
        ) : c.status === "error" ? (
          <p className="error">{c.lastError ?? "Verification failed."}</p>
        ) : (
          <p className="muted">Waiting for the worker to start verifying…</p>
        )}
      </div>
      {ok &&
        vr?.warnings?.map((w) => (
          <p key={w} className="warn-box" role="alert" data-testid="verify-warning">
            {w}
          </p>
        ))}
      {vr?.missing && vr.missing.length > 0 && (
        <div className="missing" data-testid="missing-permissions">
          <h3 className="subhead">Missing permissions ({vr.missing.length})</h3>
          <p className="muted small">Grant these to the connector (the bootstrap includes them), then verify again.</p>
          <ul>
            {vr.missing.map((m) => (
              <li key={m}>
                <code>{m}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {vr?.checks && vr.checks.length > 0 && (
        <details open={!ok}>
          <summary>
            Checks ({vr.checks.filter((x) => x.ok).length} of {vr.checks.length} passed)
          </summary>
          <ul className="checks">
            {vr.checks.map((ch, i) => (
              <li key={i} className={ch.ok ? "ok" : "bad"}>
                <span aria-hidden="true">{ch.ok ? "✓" : "✗"}</span>
                <span className="sr-only">{ch.ok ? "passed" : "failed"}: </span>
                {ch.permission}
                {ch.detail && <span className="muted small"> — {ch.detail}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {verify.isError && <ErrorState error={verify.error} />}
      {!verifying && !ok && (
        <div>
          <button className="btn small" type="button" aria-expanded={showRotate} onClick={() => setShowRotate(!showRotate)}>
            Replace credentials
          </button>
          {showRotate && (
            <CredentialsForm
              cloud={c.cloud}
              externalId={typeof c.credentialHints.externalId === "string" ? c.credentialHints.externalId : undefined}
              credentialsOnly
              pending={rotate.isPending}
              serverErrors={issuesByField(rotate.error)}
              submitLabel="Replace and verify"
              onSubmit={(d) => {
                const body = connectionPayload(
                  c.cloud,
                  { ...d, name: c.name },
                  { externalId: typeof c.credentialHints.externalId === "string" ? c.credentialHints.externalId : undefined },
                );
                rotate.mutate(body.credentials, { onSuccess: () => setShowRotate(false) });
              }}
            />
          )}
        </div>
      )}
    </StepCard>
  );
}

function HierarchyStep({ c, onNext }: { c: Connection; onNext: () => void }) {
  const discover = useConnectionAction(c.id, "discover");
  const roots = useChildNodes(c.id, null, "", { poll: true });
  const started = useRef(false);
  useEffect(() => {
    if (!started.current && !c.lastDiscoveredAt) {
      started.current = true;
      discover.mutate();
    }
  }, [c.lastDiscoveredAt, discover]);
  const count = roots.data?.pages[0]?.items.length ?? 0;
  const discovering = discover.isPending || (!c.lastDiscoveredAt && count === 0);
  return (
    <StepCard
      title="Discovered hierarchy"
      footer={
        <>
          <button className="btn" type="button" disabled={discover.isPending} onClick={() => discover.mutate()}>
            Discover again
          </button>
          <button className="btn primary" type="button" disabled={count === 0} onClick={onNext}>
            Continue
          </button>
        </>
      }
    >
      <p aria-live="polite" className={discovering ? "progress" : "muted"}>
        {discovering ? (
          <>
            <span className="spinner" aria-hidden="true" /> Reading your {CLOUD_ROOT[c.cloud]}’s hierarchy…
          </>
        ) : (
          <>
            {num(c.environments)} environments found{c.lastDiscoveredAt ? `, ${ago(c.lastDiscoveredAt)}` : ""}. Labels come from cloud tags;
            you can override them later under Environments.
          </>
        )}
      </p>
      {discover.isError && <ErrorState error={discover.error} />}
      <HierarchyTree connectionId={c.id} poll={discovering} />
      {/* Optional here, and editable later on the connection's page: without the organization trail a
          "would have blocked" replay sees only the management account, where SCPs never apply. */}
      {c.cloud === "aws" && <AwsAuditSourceCard id={c.id} auditSource={c.auditSource} canWrite />}
    </StepCard>
  );
}

function coversConnection(g: Guardrail, rootNodeId: string | undefined): boolean {
  return g.status === "active" && (g.scope.all === true || (!!rootNodeId && (g.scope.nodeIds ?? []).includes(rootNodeId)));
}

function BaselineStep({ c, state, onNext }: { c: Connection; state: WizardState; onNext: (ids: string[]) => void }) {
  const catalog = useCatalog();
  const guardrails = useGuardrails();
  const roots = useChildNodes(c.id, null);
  const rootNode = roots.data?.pages[0]?.items[0];
  const create = useCreateGuardrail();
  const [sel, setSel] = useState<Set<string>>(() => new Set(BASELINE_CONTROLS));
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const existing = useMemo(() => {
    const m = new Map<string, Guardrail>();
    for (const g of guardrails.data ?? []) if (coversConnection(g, rootNode?.id)) m.set(g.controlId, g);
    return m;
  }, [guardrails.data, rootNode?.id]);

  async function next() {
    if (!rootNode) return;
    setErr(null);
    setBusy(true);
    const ids: string[] = [...(state.baseline ?? [])];
    try {
      for (const controlId of sel) {
        const have = existing.get(controlId);
        if (have) {
          if (!ids.includes(have.id)) ids.push(have.id);
          continue;
        }
        const control = catalog.data?.find((x) => x.id === controlId);
        // New guardrails start in audit mode: nothing is blocked until the last step says so.
        const g = await create.mutateAsync({
          controlId,
          name: `${control?.title ?? controlId} (${c.name})`,
          description: `Baseline from onboarding ${c.name}.`,
          params: control?.defaults ?? {},
          scope: { nodeIds: [rootNode.id] },
          mode: "audit",
          remediation: "auto",
        });
        ids.push(g.id);
      }
      onNext(ids);
    } catch (e) {
      setErr(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <StepCard
      title="Baseline guardrail pack"
      footer={
        <button
          className="btn primary"
          type="button"
          disabled={busy || sel.size === 0 || !rootNode || catalog.isPending}
          onClick={() => void next()}
        >
          {busy ? "Creating guardrails…" : "Continue"}
        </button>
      }
    >
      <p className="muted">
        These start in <strong>audit</strong> mode on this connection: Parapet deploys them without blocking anything until you choose to
        enforce. The fidelity column is honest about what {CLOUD_NAME[c.cloud]} can prevent natively.
      </p>
      {catalog.isPending ? (
        <Loading rows={5} />
      ) : catalog.isError ? (
        <ErrorState error={catalog.error} retry={() => void catalog.refetch()} />
      ) : (
        <fieldset>
          <legend className="sr-only">Controls to start with</legend>
          <ul className="pick-list" data-testid="baseline-pack">
            {catalog.data.map((ctl) => {
              const f = ctl.fidelity[c.cloud];
              const have = existing.get(ctl.id);
              return (
                <li key={ctl.id}>
                  <label>
                    <input
                      type="checkbox"
                      checked={sel.has(ctl.id)}
                      disabled={f.fidelity === "unsupported"}
                      onChange={(e) => {
                        const s = new Set(sel);
                        if (e.target.checked) s.add(ctl.id);
                        else s.delete(ctl.id);
                        setSel(s);
                      }}
                    />
                    <span>
                      <strong>{ctl.title}</strong> <FidelityBadge fidelity={f.fidelity} />
                      {have && <span className="badge ok">already covers this connection</span>}
                      {f.gap && <span className="help">Gap: {f.gap}</span>}
                    </span>
                  </label>
                </li>
              );
            })}
          </ul>
        </fieldset>
      )}
      {err && (
        <p className="error" role="alert">
          {err}
        </p>
      )}
    </StepCard>
  );
}

function PreviewStep({
  c,
  state,
  save,
  onNext,
}: {
  c: Connection;
  state: WizardState;
  save: (s: WizardState) => void;
  onNext: () => void;
}) {
  const preview = useConnectionAction(c.id, "preview");
  const run = usePreviewRun(c.id, true);
  const asked = useRef(false);
  useEffect(() => {
    if (!asked.current && !state.previewRequestedAt) {
      asked.current = true;
      preview.mutate(undefined, { onSuccess: () => save({ ...state, previewRequestedAt: new Date().toISOString() }) });
    }
  }, [preview, save, state]);
  const r = run.data;
  const fresh =
    !!r && (!state.previewRequestedAt || !r.startedAt || Date.parse(r.startedAt) >= Date.parse(state.previewRequestedAt) - 60_000);
  const finished = !!r && fresh && !["running", "queued", "none"].includes(r.status);
  // Fit and conflicts: once the preview has discovered the hierarchy, scan the customer's own policies
  // (read-only) so slots taken and lockout risks show beside the plan, before anything is written.
  const scan = useScanPosture(c.id);
  const scanned = useRef(false);
  useEffect(() => {
    if (finished && !scanned.current) {
      scanned.current = true;
      scan.mutate();
    }
  }, [finished, scan]);
  return (
    <StepCard
      title="Plan preview"
      footer={
        <>
          <button
            className="btn"
            type="button"
            disabled={preview.isPending}
            onClick={() => preview.mutate(undefined, { onSuccess: () => save({ ...state, previewRequestedAt: new Date().toISOString() }) })}
          >
            Preview again
          </button>
          <button className="btn primary" type="button" disabled={!finished || r?.status === "failed"} onClick={onNext}>
            Continue
          </button>
        </>
      }
    >
      <p className="muted">
        What Parapet would create and attach in your {CLOUD_ROOT[c.cloud]} for the baseline. Nothing has been written yet by this preview.
      </p>
      <div aria-live="polite">
        {!finished ? (
          <p className="progress">
            <span className="spinner" aria-hidden="true" /> Computing the plan…
          </p>
        ) : r?.status === "failed" ? (
          <p className="error">The preview failed{r.error ? `: ${r.error}` : "."}</p>
        ) : r?.plan ? (
          <>
            <PlanTable plan={r.plan} />
            <PostureFit id={c.id} />
          </>
        ) : (
          <p className="muted">No plan was produced.</p>
        )}
      </div>
      {preview.isError && <ErrorState error={preview.error} />}
    </StepCard>
  );
}

function StartStep({ c, state, onDone }: { c: Connection; state: WizardState; onDone: (mode: "audit" | "enforce") => void }) {
  const [mode, setMode] = useState<"audit" | "enforce">(state.mode ?? "audit");
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const qc = useQueryClient();
  async function start() {
    setBusy(true);
    setErr(null);
    try {
      if (mode === "enforce") {
        for (const id of state.baseline ?? []) {
          // Switching audit → enforce strengthens protection, so it applies without an approval.
          await apiCall("PATCH /guardrails/{id}", {
            params: { id },
            body: { mode: "enforce", note: `Enforced while onboarding ${c.name}` },
          });
        }
      }
      await apiCall("POST /connections/{id}/reconcile", { params: { id: c.id } });
      await qc.invalidateQueries();
      onDone(mode);
    } catch (e) {
      setErr(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <StepCard
      title="Start protecting"
      footer={
        <button className="btn primary" type="button" disabled={busy} onClick={() => void start()}>
          {busy ? "Starting…" : mode === "enforce" ? "Start enforcing" : "Start in audit mode"}
        </button>
      }
    >
      <fieldset className="radio-cards">
        <legend>Mode for the baseline</legend>
        <label className={mode === "audit" ? "selected" : undefined}>
          <input type="radio" name="mode" value="audit" checked={mode === "audit"} onChange={() => setMode("audit")} />
          <span>
            <strong>Audit</strong>
            <span className="help">Deploy and report what would be blocked, block nothing. Switch to enforce per guardrail later.</span>
          </span>
        </label>
        <label className={mode === "enforce" ? "selected" : undefined}>
          <input type="radio" name="mode" value="enforce" checked={mode === "enforce"} onChange={() => setMode("enforce")} />
          <span>
            <strong>Enforce</strong>
            <span className="help">Attach the guardrails now: the dangerous actions become unavailable at the cloud layer.</span>
          </span>
        </label>
      </fieldset>
      {err && (
        <p className="error" role="alert">
          {err}
        </p>
      )}
    </StepCard>
  );
}

function Done({ c }: { c: Connection }) {
  return (
    <StepCard title={`${c.name} is connected`}>
      <p data-testid="wizard-done">
        Parapet now reconciles this {CLOUD_ROOT[c.cloud]} every {Math.round(c.pollIntervalSec / 60)} minutes and on every cloud event.
        Status: <StatusBadge status={c.status} />
      </p>
      <div className="actions">
        <Link className="btn primary" href="/">
          See coverage
        </Link>
        <Link className="btn" href={`/connections/${c.id}`}>
          Connection details
        </Link>
        <Link className="btn" href="/connections/new">
          Connect another cloud
        </Link>
      </div>
    </StepCard>
  );
}

/** The wizard for a connection being created (no id yet) or resumed (id, position from wizardState). */
export function OnboardingWizard({
  connectionId,
  cloud: initialCloud,
  step: urlStep,
}: {
  connectionId?: string;
  cloud?: string;
  step?: string;
}) {
  const router = useRouter();
  const conn = useConnection(connectionId ?? null);
  const update = useUpdateConnection(connectionId ?? "");
  const cloud = (CLOUDS as readonly string[]).includes(initialCloud ?? "") ? (initialCloud as Cloud) : null;

  if (!connectionId) {
    const step: WizardStep = urlStep === "bootstrap" || urlStep === "credentials" ? urlStep : "cloud";
    const go = (s: WizardStep, c: Cloud | null = cloud) =>
      router.push(`/connections/new?${new URLSearchParams({ ...(c ? { cloud: c } : {}), step: s }).toString()}`);
    return (
      <div className="wizard">
        <Stepper current={cloud ? step : "cloud"} />
        {!cloud || step === "cloud" ? (
          <ChooseCloud cloud={cloud} onPick={(c) => go("bootstrap", c)} />
        ) : step === "bootstrap" ? (
          <BootstrapStep cloud={cloud} onBack={() => go("cloud")} onNext={() => go("credentials")} />
        ) : (
          <CredentialsStep cloud={cloud} onBack={() => go("bootstrap")} onCreated={(c) => router.replace(`/connections/${c.id}/setup`)} />
        )}
      </div>
    );
  }

  if (conn.isPending) return <Loading rows={6} />;
  if (conn.isError) return <ErrorState error={conn.error} retry={() => void conn.refetch()} />;
  const c = conn.data;
  const state = readWizardState(c.wizardState);
  const step: WizardStep = state.step ?? "verify";
  const save = (s: WizardState) => update.mutate({ wizardState: s });
  const advance = (to: WizardStep, extra: Partial<WizardState> = {}) => save({ ...state, ...extra, step: to });

  return (
    <div className="wizard">
      <div className="wizard-title">
        <CloudBadge cloud={c.cloud} /> <strong>{c.name}</strong>
      </div>
      <Stepper current={step} />
      {update.isError && <ErrorState error={update.error} />}
      {step === "verify" || step === "cloud" || step === "bootstrap" || step === "credentials" ? (
        <VerifyStep c={c} onNext={() => advance("hierarchy")} />
      ) : step === "hierarchy" ? (
        <HierarchyStep c={c} onNext={() => advance("baseline")} />
      ) : step === "baseline" ? (
        <BaselineStep c={c} state={state} onNext={(ids) => advance("preview", { baseline: ids, previewRequestedAt: undefined })} />
      ) : step === "preview" ? (
        <PreviewStep c={c} state={state} save={save} onNext={() => advance("start")} />
      ) : step === "start" ? (
        <StartStep c={c} state={state} onDone={(mode) => advance("done", { mode })} />
      ) : (
        <Done c={c} />
      )}
    </div>
  );
}
