import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { currentSession } from "@/server/session";
import { SignOutButton } from "./sign-out-button";
import { SideNav } from "./side-nav";
import { WorkspaceSwitcher } from "./workspace-switcher";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const viewer = await currentSession();
  if (!viewer) redirect("/login");
  // A workspace requires a second factor and this password user has none: nothing else until enrolled.
  if (viewer.mfaEnrolmentRequired) redirect("/enrol-mfa");
  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <aside className="sidebar" aria-label="Main">
        <div className="brand">
          <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true">
            <rect x="2" y="10" width="28" height="20" rx="3" fill="#6366f1" />
            <rect x="2" y="4" width="6" height="8" fill="#818cf8" />
            <rect x="13" y="4" width="6" height="8" fill="#818cf8" />
            <rect x="24" y="4" width="6" height="8" fill="#818cf8" />
          </svg>
          Parapet
        </div>
        <SideNav />
        <div className="foot">Guardrails enforced at the cloud layer.</div>
      </aside>
      <div className="main-col">
        <header className="topbar">
          {viewer.workspaces.length > 1 && viewer.workspace ? (
            <WorkspaceSwitcher current={viewer.workspace.id} workspaces={viewer.workspaces} />
          ) : (
            <span className="ws" data-testid="workspace-name">
              {viewer.workspace?.name ?? "No workspace"}
            </span>
          )}
          <span style={{ display: "flex", alignItems: "center", gap: 12 }}>
            <span className="muted" data-testid="user-email">
              {viewer.user.email}
              {viewer.role ? ` · ${viewer.role}` : ""}
            </span>
            <SignOutButton />
          </span>
        </header>
        <main className="content" id="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
