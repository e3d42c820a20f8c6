"use client";
import Link from "next/link";
import { Empty, PageHeader, QueryState } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { useConnections } from "../hooks/use-connections";
import { ConnectionsTable } from "./connections-panel";

export function ConnectionsPage() {
  const q = useConnections();
  const canWrite = useCan("connection", "write");
  const connect = canWrite && (
    <Link className="btn primary" href="/connections/new">
      Connect a cloud
    </Link>
  );
  return (
    <>
      <PageHeader title="Connections" subtitle="Cloud roots Parapet manages guardrails in." actions={connect} />
      <section className="card">
        <QueryState
          q={q}
          isEmpty={(d) => d.length === 0}
          empty={
            <Empty title="No cloud connected yet" action={connect}>
              Connect an AWS Organization, Azure tenant, GCP organization or OCI tenancy.
            </Empty>
          }
        >
          {(items) => <ConnectionsTable items={items} />}
        </QueryState>
      </section>
    </>
  );
}
