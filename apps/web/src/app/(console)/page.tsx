import type { Metadata } from "next";
import { currentSession } from "@/server/session";
import { ActivityPanel, PendingApprovalsPanel } from "@/modules/overview/components/activity-panel";
import { ConnectionsPanel } from "@/modules/connections/components/connections-panel";
import { CoverageMatrix } from "@/modules/overview/components/coverage-matrix";
import { CoverageSummary } from "@/modules/overview/components/coverage-summary";
import { DriftPanel } from "@/modules/overview/components/drift-panel";
import { SystemStatus } from "./system-status";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const viewer = await currentSession();
  if (!viewer?.workspace) {
    return (
      <section className="card">
        <h1>No workspace yet</h1>
        <p className="muted">Ask a workspace owner to invite you.</p>
      </section>
    );
  }
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Overview</h1>
          <p className="muted">What Parapet protects in {viewer.workspace.name}.</p>
        </div>
      </div>
      <CoverageSummary />
      <div className="two-col">
        <DriftPanel />
        <div className="stack">
          <PendingApprovalsPanel />
          <ActivityPanel />
        </div>
      </div>
      <CoverageMatrix />
      <ConnectionsPanel />
      <SystemStatus />
    </>
  );
}
