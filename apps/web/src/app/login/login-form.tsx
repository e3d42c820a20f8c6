"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { authClient } from "@/lib/auth-client";

export function LoginForm({ next, ssoError }: { next: string; ssoError: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(ssoError);
  const [pending, setPending] = useState(false);

  /** "Continue with SSO": the e-mail's verified domain picks the workspace's identity provider. */
  async function onSso(form: HTMLFormElement | null) {
    setError(null);
    const email = form ? ((new FormData(form).get("email") as string | null) ?? "") : "";
    if (!email.includes("@")) {
      setError("Enter your work email, then continue with SSO.");
      return;
    }
    setPending(true);
    const res = await fetch("/api/auth/sign-in/sso", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, callbackURL: next, errorCallbackURL: "/login" }),
    });
    const body = (await res.json().catch(() => null)) as { url?: string; message?: string } | null;
    if (res.ok && body?.url) {
      window.location.assign(body.url);
      return;
    }
    setPending(false);
    setError(res.status === 429 ? "Too many attempts. Wait a minute and try again." : (body?.message ?? "SSO sign-in could not start."));
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setPending(true);
    const form = new FormData(e.currentTarget);
    const { error: err } = await authClient.signIn.email({
      email: (form.get("email") as string | null) ?? "",
      password: (form.get("password") as string | null) ?? "",
    });
    setPending(false);
    if (err) {
      setError(
        err.status === 429
          ? "Too many attempts. Wait a minute and try again."
          : err.status === 403 && err.message
            ? err.message
            : "Email or password is incorrect.",
      );
      return;
    }
    router.replace(next);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required maxLength={254} />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required maxLength={128} />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="btn primary" type="submit" disabled={pending} style={{ width: "100%" }}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      <button
        className="btn"
        type="button"
        disabled={pending}
        style={{ width: "100%", marginTop: 8 }}
        onClick={(e) => void onSso(e.currentTarget.form)}
      >
        Continue with SSO
      </button>
    </form>
  );
}
