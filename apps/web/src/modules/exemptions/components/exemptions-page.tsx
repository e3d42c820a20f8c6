"use client";
import Link from "next/link";
import { useState } from "react";
import { StatusBadge } from "@/modules/shared/components/badges";
import { Empty, PageHeader, QueryState } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { errorMessage } from "@/modules/shared/lib/api";
import { oneOf, type Exemption } from "@/modules/shared/lib/contract";
import { ago, dateTime } from "@/modules/shared/lib/format";
import { EXEMPTION_STATUSES } from "@parapet/core/exemptions/exemptions.schema";
import { useExemptions, useRevokeExemption } from "../hooks/use-exemptions";

function daysLeft(iso: string): number {
  return Math.ceil((Date.parse(iso) - Date.now()) / 86_400_000);
}

export function ExemptionsPage() {
  const [status, setStatus] = useState<Exemption["status"] | "">("");
  const q = useExemptions(status);
  const revoke = useRevokeExemption();
  const canRevoke = useCan("guardrail", "write");
  return (
    <>
      <PageHeader
        title="Exemptions"
        subtitle="Carve-outs from one guardrail — of an environment subtree, or of one principal everywhere — each with a reason, an owner and an expiry. Request one from a drift finding or a replay's denied calls."
      />
      <div className="filters card">
        <label>
          <span>Status</span>
          <select value={status} onChange={(e) => setStatus(oneOf(EXEMPTION_STATUSES, e.target.value) ?? "")}>
            <option value="">All</option>
            <option value="pending_approval">Pending approval</option>
            <option value="active">Active</option>
            <option value="expired">Expired</option>
            <option value="revoked">Revoked</option>
            <option value="rejected">Rejected</option>
          </select>
        </label>
      </div>
      {revoke.isError && <p className="error">{errorMessage(revoke.error)}</p>}
      <section className="card">
        <QueryState
          q={q}
          isEmpty={(d) => d.length === 0}
          empty={<Empty title="No exemptions">Every guardrail applies everywhere it is scoped.</Empty>}
        >
          {(items) => (
            <div className="table-wrap">
              <table className="list" data-testid="exemptions">
                <thead>
                  <tr>
                    <th scope="col">Guardrail</th>
                    <th scope="col">Environment or principal</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((x) => {
                    const left = daysLeft(x.expiresAt);
                    const gid = x.guardrail.id;
                    return (
                      <tr key={x.id}>
                        <td>{gid ? <Link href={`/guardrails/${gid}`}>{x.guardrail.name}</Link> : "–"}</td>
                        <td>
                          {x.node ? (
                            x.node.name
                          ) : x.principal ? (
                            <>
                              <code>{x.principal.id}</code>
                              <div className="muted small">principal, every {x.principal.cloud.toUpperCase()} environment</div>
                            </>
                          ) : (
                            "–"
                          )}
                        </td>
                        <td>{x.reason}</td>
                        <td>{x.ownerEmail}</td>
                        <td>
                          {dateTime(x.expiresAt)}
                          {x.status === "active" && (
                            <div className={`small ${left <= 7 ? "field-error" : "muted"}`}>{left > 0 ? `in ${left} d` : "due"}</div>
                          )}
                        </td>
                        <td>
                          <StatusBadge
                            status={x.status === "pending_approval" ? "pending" : x.status}
                            label={x.status.replace(/_/g, " ")}
                          />
                          {x.createdAt && <div className="muted small">{ago(x.createdAt)}</div>}
                        </td>
                        <td>
                          {canRevoke && (x.status === "active" || x.status === "pending_approval") && (
                            <button type="button" className="btn small" disabled={revoke.isPending} onClick={() => revoke.mutate(x.id)}>
                              Revoke
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
      </section>
    </>
  );
}
