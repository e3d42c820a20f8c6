"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { QueryState } from "@/modules/shared/components/states";
import { apiCall, errorMessage } from "@/modules/shared/lib/api";
import { ago, dateTime } from "@/modules/shared/lib/format";

const key = ["me", "sessions"] as const;

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
    </section>
  );
}
