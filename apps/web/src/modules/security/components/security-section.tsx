"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { QueryState } from "@/modules/shared/components/states";
import { apiCall, errorMessage, issuesByField } from "@/modules/shared/lib/api";
import { authPost } from "../lib/auth-post";
import { EnrolMfa } from "./enrol-mfa";

const mfaKey = ["me", "mfa"] as const;

/** Your second factor (issue 18): set it up, get new recovery codes, or turn it off (unless a workspace requires it). */
export function SecuritySection() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: mfaKey, queryFn: ({ signal }) => apiCall("GET /me/mfa", { signal }) });
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const refresh = () => void qc.invalidateQueries({ queryKey: mfaKey });

  async function act(e: FormEvent<HTMLFormElement>, what: "codes" | "off") {
    e.preventDefault();
    setError(null);
    setCodes(null);
    const form = e.currentTarget;
    const password = (new FormData(form).get("password") as string | null) ?? "";
    setPending(true);
    const r = await authPost<{ backupCodes?: string[] }>(what === "codes" ? "/two-factor/generate-backup-codes" : "/two-factor/disable", {
      password,
    });
    setPending(false);
    if (!r.ok) return setError(r.status === 400 ? "That password is not right." : r.message);
    form.reset();
    if (what === "codes") setCodes(r.body.backupCodes ?? []);
    refresh();
  }

  return (
    <section className="card" aria-labelledby="sec-h">
      <h2 id="sec-h">Two-factor sign-in</h2>
      <QueryState q={q}>
        {(m) =>
          !m.passwordUser ? (
            <p className="muted">You sign in through your identity provider (SSO); it asks for your second factor.</p>
          ) : !m.enabled ? (
            <>
              <p data-testid="mfa-state">
                Off.{" "}
                {m.required ? "A workspace you belong to requires it." : "Add an authenticator app so a password alone cannot sign you in."}
              </p>
              <EnrolMfa onDone={refresh} />
            </>
          ) : (
            <>
              <p data-testid="mfa-state">On: every password sign-in asks for a code from your authenticator app (or a recovery code).</p>
              {codes && (
                <div className="success" role="status">
                  New recovery codes (the old ones no longer work):
                  <ul className="recovery-codes">
                    {codes.map((c) => (
                      <li key={c}>
                        <code>{c}</code>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              <form className="inline-form" aria-label="Recovery codes or turn off" onSubmit={(e) => e.preventDefault()}>
                <label htmlFor="sec-password">Your password</label>
                <input id="sec-password" name="password" type="password" autoComplete="current-password" required maxLength={128} />
                <button
                  className="btn small"
                  type="submit"
                  disabled={pending}
                  onClick={(e) => {
                    const f = e.currentTarget.form;
                    if (f?.reportValidity())
                      void act({ preventDefault: () => undefined, currentTarget: f } as FormEvent<HTMLFormElement>, "codes");
                  }}
                >
                  New recovery codes
                </button>
                {!m.required && (
                  <button
                    className="btn small danger"
                    type="button"
                    disabled={pending}
                    onClick={(e) => {
                      const f = e.currentTarget.form;
                      if (f?.reportValidity() && window.confirm("Turn off two-factor sign-in?"))
                        void act({ preventDefault: () => undefined, currentTarget: f } as FormEvent<HTMLFormElement>, "off");
                    }}
                  >
                    Turn off
                  </button>
                )}
              </form>
            </>
          )
        }
      </QueryState>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

const settingsKey = ["settings"] as const;

/** The workspace's sign-in rules (owners and admins): MFA for password users, session lifetime, idle timeout. */
export function SignInPolicySection({ canWrite }: { canWrite: boolean }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: settingsKey, queryFn: ({ signal }) => apiCall("GET /settings", { signal }) });
  const save = useMutation({
    mutationFn: (b: { requireMfa: boolean; sessionLifetimeHours: number | null; idleTimeoutMinutes: number | null }) =>
      apiCall("PATCH /settings", { body: b }),
    onSuccess: (s) => qc.setQueryData(settingsKey, s),
  });
  const errs = issuesByField(save.error);
  const num = (v: FormDataEntryValue | null) => (typeof v === "string" && v.trim() ? Number(v) : null);
  return (
    <section className="card" aria-labelledby="pol-h">
      <h2 id="pol-h">Sign-in rules</h2>
      <QueryState q={q}>
        {(s) => (
          <form
            className="stack"
            aria-label="Sign-in rules"
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              save.mutate({
                requireMfa: f.get("requireMfa") === "on",
                sessionLifetimeHours: num(f.get("sessionLifetimeHours")),
                idleTimeoutMinutes: num(f.get("idleTimeoutMinutes")),
              });
            }}
          >
            <fieldset disabled={!canWrite} className="form-grid">
              <div className="field">
                <label>
                  <input type="checkbox" name="requireMfa" defaultChecked={s.requireMfa} /> Require two-factor sign-in for password users
                </label>
                <span className="muted small">
                  Members without it must set it up before anything else works. SSO users are exempt (their identity provider asks); API
                  tokens keep working.
                </span>
              </div>
              <div className="field">
                <label htmlFor="pol-life">Session lifetime (hours, empty = 7 days, renewed by use)</label>
                <input
                  id="pol-life"
                  name="sessionLifetimeHours"
                  type="number"
                  min={1}
                  max={720}
                  defaultValue={s.sessionLifetimeHours ?? ""}
                />
                {errs.sessionLifetimeHours && <span className="field-error">{errs.sessionLifetimeHours}</span>}
              </div>
              <div className="field">
                <label htmlFor="pol-idle">Idle timeout (minutes, empty = none)</label>
                <input
                  id="pol-idle"
                  name="idleTimeoutMinutes"
                  type="number"
                  min={5}
                  max={10080}
                  defaultValue={s.idleTimeoutMinutes ?? ""}
                />
                {errs.idleTimeoutMinutes && <span className="field-error">{errs.idleTimeoutMinutes}</span>}
              </div>
            </fieldset>
            {canWrite && (
              <div className="actions">
                <button className="btn primary small" type="submit" disabled={save.isPending}>
                  Save sign-in rules
                </button>
                {save.isSuccess && <span className="success">Saved.</span>}
                {save.isError && Object.keys(errs).length === 0 && <span className="field-error">{errorMessage(save.error)}</span>}
              </div>
            )}
          </form>
        )}
      </QueryState>
    </section>
  );
}
