"use client";
import { useState } from "react";
import { CopyButton } from "@/modules/shared/components/copy-button";
import { QueryState } from "@/modules/shared/components/states";
import { errorMessage } from "@/modules/shared/lib/api";
import { useCreateScimToken, useRevokeScimToken, useScim } from "../hooks/use-sso";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");

/**
 * SCIM provisioning (issue 18): the tenant URL and bearer token an identity provider (Entra ID, Okta)
 * is given. The token is shown once, right after it is created or rotated.
 */
export function ScimSection({ canWrite }: { canWrite: boolean }) {
  const q = useScim();
  const create = useCreateScimToken();
  const revoke = useRevokeScimToken();
  const [shown, setShown] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="scim-h">
      <h2 id="scim-h">SCIM provisioning</h2>
      <p className="muted">
        Your identity provider creates, updates and deactivates this workspace&apos;s users and groups. Access follows the groups → roles
        mapping above; a deactivated user loses every session and API token at once. Owners are never changed through SCIM.
      </p>
      {shown && (
        <div className="success" role="status" data-testid="new-scim-token">
          Copy this token now; it will not be shown again: <code>{shown}</code> <CopyButton text={shown} />
        </div>
      )}
      <QueryState q={q}>
        {(s) => (
          <div className="stack">
            <p>
              Tenant URL: <code>{s.baseUrl}</code> <CopyButton text={s.baseUrl} />
            </p>
            {s.enabled ? (
              <p className="muted">
                Token <code>{s.tokenStart}…</code> created {when(s.tokenCreatedAt)}, last used {when(s.lastUsedAt)} · {s.activeUsers} active
                of {s.users} provisioned users · {s.groups} groups
              </p>
            ) : (
              <p className="muted">No SCIM token: the endpoint refuses every request.</p>
            )}
            {canWrite && (
              <div className="actions">
                <button
                  className="btn primary small"
                  type="button"
                  disabled={create.isPending}
                  onClick={() => create.mutate(undefined, { onSuccess: (r) => setShown(r.token) })}
                >
                  {s.enabled ? "Rotate token" : "Create token"}
                </button>
                {s.enabled && (
                  <button
                    className="btn small danger"
                    type="button"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate(undefined, { onSuccess: () => setShown(null) })}
                  >
                    Revoke token
                  </button>
                )}
              </div>
            )}
            {(create.isError || revoke.isError) && <span className="field-error">{errorMessage(create.error ?? revoke.error)}</span>}
          </div>
        )}
      </QueryState>
    </section>
  );
}
