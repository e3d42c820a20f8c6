import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/server/session";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

/**
 * What an SSO refusal (the identity provider's round trip ends here with ?error=CODE) means, in words
 * of our own: the description in the URL is not shown, since anyone can link here with any text.
 */
const SSO_ERRORS: Record<string, string> = {
  SSO_NO_MAPPED_GROUP:
    "Your identity provider account is in no group that has access to this workspace. Ask your administrator to add you.",
  SSO_DOMAIN_UNVERIFIED: "SSO for your email domain is not verified yet. Ask your administrator.",
  SSO_EMAIL_DOMAIN_MISMATCH: "The identity provider signed you in with an address outside your workspace's domain.",
  SSO_PROVIDER_UNKNOWN: "This identity provider is not set up for any workspace.",
  invalid_provider:
    "The identity provider's answer could not be verified (wrong audience, expired or badly signed). Try again or contact your administrator.",
  invalid_state: "The sign-in took too long or was started elsewhere. Start again.",
  saml_error:
    "The identity provider's SAML response was refused (expired, unsigned or badly signed). Try again or contact your administrator.",
  invalid_saml_response: "The identity provider's SAML response was not for this application, or was already used. Start again.",
  replay_detected: "That sign-in response was already used. Start again.",
  access_denied: "The identity provider did not let you sign in.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  if (await currentSession()) redirect("/");
  const { next, error } = await searchParams;
  const ssoError = error ? (SSO_ERRORS[error] ?? "SSO sign-in failed. Try again or contact your administrator.") : null;
  // Only same-site paths: an open redirect after sign-in would be a phishing aid.
  const safeNext = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <h1>Sign in to Parapet</h1>
        <p className="muted">Guardrails your cloud enforces, not just advice.</p>
        <LoginForm next={safeNext} ssoError={ssoError} />
      </div>
    </main>
  );
}
