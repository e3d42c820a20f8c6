import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/server/session";
import { SignOutButton } from "../(console)/sign-out-button";
import { EnrolGate } from "./enrol-gate";

export const metadata: Metadata = { title: "Set up two-factor sign-in" };
export const dynamic = "force-dynamic";

/**
 * Where the console sends a password user whose workspace requires a second factor and who has none
 * (identity/session-policy.ts): nothing else works until it is set up. Outside the console layout, so
 * the redirect there does not loop.
 */
export default async function EnrolMfaPage() {
  const viewer = await currentSession();
  if (!viewer) redirect("/login");
  if (!viewer.mfaEnrolmentRequired) redirect("/");
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <h1>Set up two-factor sign-in</h1>
        <p className="muted">
          {viewer.workspace?.name ?? "Your workspace"} requires a second factor for password sign-in. Signed in as {viewer.user.email}.
        </p>
        <EnrolGate />
        <p className="muted small" style={{ marginTop: 16 }}>
          Not now? <SignOutButton />
        </p>
      </div>
    </main>
  );
}
