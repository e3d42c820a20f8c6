"use client";
import Link from "next/link";
import { useState } from "react";
import { CloudBadge, StatusBadge } from "@/modules/shared/components/badges";
import { Empty, PageHeader, QueryState } from "@/modules/shared/components/states";
import type { ApiQuery } from "@/modules/shared/lib/api";
import { ago, dateTime } from "@/modules/shared/lib/format";
import { oneOf } from "@/modules/shared/lib/contract";
import { useDenials } from "../hooks/use-denials";

const WHO = ["all", "true", "false"] as const;

/**
 * Real calls the clouds refused, read from their audit logs every minute, each attributed to the
 * Parapet guardrail (and statement) that denied it, or marked not Parapet's (the customer's own policy).
 */
export function DenialsPage() {
  const [parapet, setParapet] = useState<(typeof WHO)[number]>("all");
  const [principal, setPrincipal] = useState("");
  const [guardrailId, setGuardrailId] = useState("");
  const q: ApiQuery<"GET /denials"> = {
    limit: 100,
    ...(parapet !== "all" ? { parapet } : {}),
    ...(principal.trim() ? { principal: principal.trim() } : {}),
    ...(guardrailId ? { guardrailId } : {}),
  };
  const denials = useDenials(q);
  return (
    <>
      <PageHeader title="Denials" subtitle="Real calls the clouds refused, and which guardrail refused them" />
      <section className="card">
        <div className="inline-form" role="search" aria-label="Filter denials">
          <label htmlFor="dn-who">Denied by</label>
          <select id="dn-who" value={parapet} onChange={(e) => setParapet(oneOf(WHO, e.target.value) ?? "all")}>
            <option value="all">anything</option>
            <option value="true">a Parapet guardrail</option>
            <option value="false">not Parapet (own policies)</option>
          </select>
          <label htmlFor="dn-principal">Principal</label>
          <input id="dn-principal" value={principal} onChange={(e) => setPrincipal(e.target.value)} placeholder="exact id" />
          {guardrailId && (
            <button type="button" className="btn small" onClick={() => setGuardrailId("")}>
              All guardrails
            </button>
          )}
        </div>
        <QueryState
          q={denials}
          isEmpty={(d) => d.items.length === 0}
          empty={<Empty title="No denied calls">Nothing refused in the logs read so far.</Empty>}
        >
          {(d) => (
            <div className="table-wrap">
              <table className="list" data-testid="denials">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Principal</th>
                    <th scope="col">Action</th>
                    <th scope="col">Environment</th>
                    <th scope="col">Denied by</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((x) => (
                    <tr key={x.id}>
                      <td title={dateTime(x.time)}>{ago(x.time)}</td>
                      <td>
                        <div>{x.principalName ?? x.principal}</div>
                        <button type="button" className="linkish muted small" onClick={() => setPrincipal(x.principal)}>
                          {x.principal}
                        </button>
                      </td>
                      <td>
                        <code>{x.action}</code>
                        {x.resource && <div className="muted small">{x.resource}</div>}
                      </td>
                      <td>
                        {x.cloud === "aws" || x.cloud === "azure" || x.cloud === "gcp" || x.cloud === "oci" ? (
                          <CloudBadge cloud={x.cloud} />
                        ) : null}{" "}
                        {x.environment ?? "unknown"}
                      </td>
                      <td>
                        {x.parapet && x.guardrailId ? (
                          <>
                            <button type="button" className="linkish" onClick={() => setGuardrailId(x.guardrailId ?? "")}>
                              {x.guardrailName ?? x.guardrailId}
                            </button>
                            {x.statement && <div className="muted small">statement {x.statement}</div>}
                          </>
                        ) : (
                          <StatusBadge status="unknown" label="not Parapet's" />
                        )}
                      </td>
                      <td>
                        {x.parapet && x.guardrailId && x.nodeId && (
                          <Link
                            className="btn small"
                            href={`/exemptions?request=1&guardrailId=${encodeURIComponent(x.guardrailId)}&nodeId=${encodeURIComponent(x.nodeId)}&denial=${encodeURIComponent(x.id)}`}
                          >
                            Request exemption
                          </Link>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
      </section>
    </>
  );
}
