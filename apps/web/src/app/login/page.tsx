import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/server/session";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (await currentSession()) redirect("/");
  const { next } = await searchParams;
  // Only same-site paths: an open redirect after sign-in would be a phishing aid.
  const safeNext = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <h1>Sign in to Parapet</h1>
        <p className="muted">Guardrails your cloud enforces, not just advice.</p>
        <LoginForm next={safeNext} />
      </div>
    </main>
  );
}
