"use client";
import Link from "next/link";
import { CloudBadge, StatusBadge } from "@/modules/shared/components/badges";
import { Empty, QueryState } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { ago, num } from "@/modules/shared/lib/format";
import type { Connection } from "@/modules/shared/lib/contract";
import { useConnections } from "../hooks/use-connections";

export function setupPending(c: Connection): boolean {
  const step = c.wizardState?.step;
  return typeof step === "string" && step !== "done";
}

export function ConnectionsTable({ items }: { items: Connection[] }) {
  return (
    <div className="table-wrap">
      <table className="list" data-testid="connections">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Cloud</th>
            <th scope="col">Status</th>
            <th scope="col">Environments</th>
            <th scope="col">Last reconcile</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id}>
              <td>
                <Link href={`/connections/${c.id}`}>{c.name}</Link>
                {setupPending(c) && (
                  <>
                    {" "}
                    <Link className="badge warn" href={`/connections/${c.id}/setup`}>
                      resume setup
                    </Link>
                  </>
                )}
              </td>
              <td>
                <CloudBadge cloud={c.cloud} />
              </td>
              <td>
                <StatusBadge status={c.status} />
              </td>
              <td>{num(c.environments)}</td>
              <td className="muted">
                {ago(c.lastReconciledAt)}
                {c.lastReconcileStatus && c.lastReconcileStatus !== "succeeded" ? ` (${c.lastReconcileStatus})` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ConnectionsPanel() {
  const q = useConnections();
  const canWrite = useCan("connection", "write");
  return (
    <section className="card" aria-labelledby="conn-h">
      <div className="section-head">
        <h2 id="conn-h">Connections</h2>
        {canWrite && (
          <Link className="btn small" href="/connections/new">
            Connect a cloud
          </Link>
        )}
      </div>
      <QueryState
        q={q}
        empty={<Empty title="No cloud connected yet">Connect an AWS Organization, Azure tenant, GCP organization or OCI tenancy.</Empty>}
        isEmpty={(d) => d.length === 0}
      >
        {(items) => <ConnectionsTable items={items} />}
      </QueryState>
    </section>
  );
}
