"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { QueryState } from "@/modules/shared/components/states";
import { apiCall, errorMessage } from "@/modules/shared/lib/api";
import { ago, dateTime } from "@/modules/shared/lib/format";

const key = ["me", "sessions"] as const;
const tokensKey = ["me", "tokens"] as const;

/** Your sessions (issue 18): where you are signed in, and a way to end any of them but this one. */
export function SessionsSection() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: key, queryFn: ({ signal }) => apiCall("GET /me/sessions", { signal }) });
  const end = useMutation({
    mutationFn: (id: string) => apiCall("DELETE /me/sessions/{id}", { params: { id } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: key }),
  });
  return (
    <section className="card" aria-labelledby="ses-h">
      <h2 id="ses-h">Your sessions</h2>
      <QueryState q={q}>
        {(s) => (
          // Wide tables scroll inside their own box: the page never scrolls sideways on a phone.
          <div className="table-wrap">
            <table className="list">
              <thead>
                <tr>
                  <th>Device</th>
                  <th>IP</th>
                  <th>Signed in</th>
                  <th>Last used</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {s.items.map((x) => (
                  <tr key={x.id} data-testid="session-row">
                    <td>{x.userAgent ?? "unknown"}</td>
                    <td>{x.ipAddress ?? "—"}</td>
                    <td>{dateTime(x.createdAt)}</td>
                    <td>{ago(x.lastUsedAt)}</td>
                    <td>
                      {x.current ? (
                        <span className="muted">this session</span>
                      ) : (
                        <button className="btn small danger" type="button" disabled={end.isPending} onClick={() => end.mutate(x.id)}>
                          End
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
      {end.isError && <span className="field-error">{errorMessage(end.error)}</span>}
      <MyTokens />
    </section>
  );
}

/** Your API tokens in this workspace (issue 18): they act as you without a session, so they sit beside your sessions. */
function MyTokens() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: tokensKey, queryFn: ({ signal }) => apiCall("GET /me/tokens", { signal }) });
  const revoke = useMutation({
    mutationFn: (id: string) => apiCall("DELETE /me/tokens/{id}", { params: { id } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: tokensKey });
      void qc.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  return (
    <>
      <h3 id="mytok-h">Your API tokens</h3>
      <QueryState q={q}>
        {(t) =>
          t.items.length === 0 ? (
            <p className="muted">You have no API tokens in this workspace.</p>
          ) : (
            <div className="table-wrap">
              <table className="list" aria-labelledby="mytok-h">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Scope</th>
                    <th>Last used</th>
                    <th>Expires</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {t.items.map((x) => (
                    <tr key={x.id} data-testid="my-token-row">
                      <td>{x.name ?? x.id}</td>
                      <td>
                        {x.role} · {x.scope}
                      </td>
                      <td>{x.lastUsedAt ? ago(x.lastUsedAt) : "never"}</td>
                      <td>{x.expiresAt ? dateTime(x.expiresAt) : "never"}</td>
                      <td>
                        <button
                          className="btn small danger"
                          type="button"
                          disabled={revoke.isPending}
                          onClick={() => window.confirm(`Revoke token “${x.name ?? x.id}”?`) && revoke.mutate(x.id)}
                        >
                          Revoke
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
      {revoke.isError && <span className="field-error">{errorMessage(revoke.error)}</span>}
    </>
  );
}
