"use client";
import Link from "next/link";
import { useState } from "react";
import { StatusBar } from "@/modules/overview/components/coverage-summary";
import { StatusBadge } from "@/modules/shared/components/badges";
import { Empty, PageHeader, QueryState } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { oneOf, type Guardrail } from "@/modules/shared/lib/contract";
import { ago, pct } from "@/modules/shared/lib/format";
import { useGuardrails } from "../hooks/use-guardrails";

export function GuardrailList() {
  const [status, setStatus] = useState<Guardrail["status"] | "">("");
  const q = useGuardrails(status);
  const canCreate = useCan("guardrail", "write");
  const cta = (
    <Link className="btn primary" href="/guardrails/catalog">
      {canCreate ? "New guardrail from the catalog" : "Browse the catalog"}
    </Link>
  );
  return (
    <>
      <PageHeader title="Guardrails" subtitle="Security intents, compiled into each cloud's own enforcement." actions={cta} />
      <div className="filters card">
        <label>
          <span>Status</span>
          <select value={status} onChange={(e) => setStatus(oneOf(["active", "disabled", "deleted"] as const, e.target.value) ?? "")}>
            <option value="">Active and disabled</option>
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
          </select>
        </label>
      </div>
      <section className="card">
        <QueryState
          q={q}
          isEmpty={(d) => d.length === 0}
          empty={
            <Empty title="No guardrails yet" action={cta}>
              Start with “AI agents cannot destroy production data”.
            </Empty>
          }
        >
          {(items) => (
            <div className="table-wrap">
              <table className="list" data-testid="guardrails">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Mode</th>
                    <th scope="col">Status</th>
                    <th scope="col">Coverage</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((g) => {
                    const denom = g.coverage.total - g.coverage.exempt;
                    return (
                      <tr key={g.id}>
                        <td>
                          <Link href={`/guardrails/${g.id}`}>{g.name}</Link>
                          <div className="muted small">
                            {g.controlId} · v{g.currentVersion}
                          </div>
                        </td>
                        <td>
                          <StatusBadge status={g.mode} />
                        </td>
                        <td>
                          <StatusBadge status={g.status} />
                          {g.pendingApproval && (
                            <>
                              {" "}
                              <Link className="badge warn" href={`/approvals#${g.pendingApproval}`}>
                                approval pending
                              </Link>
                            </>
                          )}
                        </td>
                        <td style={{ minWidth: 160 }}>
                          <div className="small">
                            {pct(denom > 0 ? g.coverage.enforced / denom : null)} of {g.coverage.total}
                          </div>
                          <StatusBar totals={g.coverage} label={`${g.name} coverage`} />
                        </td>
                        <td className="muted">{ago(g.updatedAt)}</td>
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
