import type { Metadata } from "next";
import { currentSession } from "@/server/session";
import { prisma } from "@/server/clients";
import { SystemStatus } from "./system-status";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

const CLOUD_LABEL = { aws: "AWS Organization", azure: "Azure tenant", gcp: "GCP organization", oci: "OCI tenancy" } as const;

export default async function OverviewPage() {
  const viewer = await currentSession();
  const workspaceId = viewer?.workspace?.id;
  if (!workspaceId) {
    return (
      <section className="card">
        <h1>No workspace yet</h1>
        <p className="muted">Ask a workspace owner to invite you.</p>
      </section>
    );
  }
  const [connections, guardrails, environments, openDrift] = await Promise.all([
    prisma().connection.findMany({
      where: { workspaceId },
      select: { id: true, name: true, cloud: true, status: true, lastReconciledAt: true },
      orderBy: { createdAt: "asc" },
    }),
    prisma().guardrail.count({ where: { workspaceId, status: "active" } }),
    prisma().node.count({ where: { workspaceId, isEnvironment: true, state: "active" } }),
    prisma().driftFinding.count({ where: { workspaceId, status: "open" } }),
  ]);
  return (
    <>
      <h1>Overview</h1>
      <p className="muted">What Parapet protects in {viewer.workspace?.name}.</p>
      <div className="grid" style={{ marginTop: 16 }}>
        <div className="card">
          <div className="muted">Connected clouds</div>
          <div className="stat" data-testid="stat-connections">{connections.length}</div>
        </div>
        <div className="card">
          <div className="muted">Environments</div>
          <div className="stat">{environments}</div>
        </div>
        <div className="card">
          <div className="muted">Active guardrails</div>
          <div className="stat">{guardrails}</div>
        </div>
        <div className="card">
          <div className="muted">Open drift</div>
          <div className="stat">{openDrift}</div>
        </div>
      </div>
      <section className="card" style={{ marginTop: 16 }}>
        <h2>Connections</h2>
        {connections.length === 0 ? (
          <p className="muted">No cloud connected yet.</p>
        ) : (
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Cloud</th>
                <th scope="col">Status</th>
                <th scope="col">Last reconcile</th>
              </tr>
            </thead>
            <tbody>
              {connections.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td>{CLOUD_LABEL[c.cloud]}</td>
                  <td>
                    <span className={`badge ${c.status === "active" ? "ok" : c.status === "error" ? "bad" : "warn"}`}>
                      {c.status}
                    </span>
                  </td>
                  <td className="muted">{c.lastReconciledAt ? c.lastReconciledAt.toISOString() : "never"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <SystemStatus />
    </>
  );
}
