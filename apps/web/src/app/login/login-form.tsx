"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { authClient } from "@/lib/auth-client";

export function LoginForm({ next, ssoError }: { next: string; ssoError: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(ssoError);
  const [pending, setPending] = useState(false);
  /** The password was right and the account has a second factor: the code is asked next (issue 18). */
  const [secondStep, setSecondStep] = useState<"totp" | "recovery" | null>(null);

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
    const { data, error: err } = await authClient.signIn.email({
      email: (form.get("email") as string | null) ?? "",
      password: (form.get("password") as string | null) ?? "",
    });
    setPending(false);
    if (!err && data && "twoFactorRedirect" in data && data.twoFactorRedirect) {
      setSecondStep("totp");
      return;
    }
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

  async function onCode(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setPending(true);
    const code = ((new FormData(e.currentTarget).get("code") as string | null) ?? "").trim();
    const res = await fetch(secondStep === "recovery" ? "/api/auth/two-factor/verify-backup-code" : "/api/auth/two-factor/verify-totp", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: secondStep === "recovery" ? code : code.replace(/\s/g, "") }),
    });
    setPending(false);
    if (res.ok) {
      router.replace(next);
      router.refresh();
      return;
    }
    const body = (await res.json().catch(() => null)) as { code?: string } | null;
    // The challenge lasts 10 minutes and 5 tries; after that the password is asked again.
    if (body?.code === "INVALID_TWO_FACTOR_COOKIE" || body?.code === "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE") {
      setSecondStep(null);
      setError("The sign-in expired or had too many wrong codes. Enter your password again.");
      return;
    }
    setError(res.status === 429 ? "Too many attempts. Wait a minute and try again." : "That code is not right.");
  }

  if (secondStep)
    return (
      <form onSubmit={(e) => void onCode(e)} noValidate aria-label="Second factor">
        <div className="field">
          <label htmlFor="code">{secondStep === "totp" ? "Code from your authenticator app" : "Recovery code"}</label>
          <input
            id="code"
            name="code"
            key={secondStep}
            autoComplete="one-time-code"
            inputMode={secondStep === "totp" ? "numeric" : "text"}
            required
            maxLength={64}
            autoFocus
          />
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="btn primary" type="submit" disabled={pending} style={{ width: "100%" }}>
          {pending ? "Checking…" : "Verify"}
        </button>
        <button
          className="btn"
          type="button"
          style={{ width: "100%", marginTop: 8 }}
          onClick={() => (setError(null), setSecondStep(secondStep === "totp" ? "recovery" : "totp"))}
        >
          {secondStep === "totp" ? "Use a recovery code instead" : "Use the authenticator app instead"}
        </button>
      </form>
    );

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
