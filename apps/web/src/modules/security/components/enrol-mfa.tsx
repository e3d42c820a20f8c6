"use client";
import { useState, type FormEvent } from "react";
import { authPost, secretOfUri } from "../lib/auth-post";

/**
 * TOTP enrolment (issue 18): the password again, then the authenticator's key and the recovery codes
 * (shown once), then the first code, which switches the second factor on.
 */
export function EnrolMfa({ onDone }: { onDone: () => void }) {
  const [started, setStarted] = useState<{ uri: string; codes: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function start(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setPending(true);
    const password = (new FormData(e.currentTarget).get("password") as string | null) ?? "";
    const r = await authPost<{ totpURI: string; backupCodes: string[] }>("/two-factor/enable", { password });
    setPending(false);
    if (!r.ok) return setError(r.status === 400 ? "That password is not right." : r.message);
    setStarted({ uri: r.body.totpURI, codes: r.body.backupCodes });
  }

  async function confirm(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setPending(true);
    const code = ((new FormData(e.currentTarget).get("code") as string | null) ?? "").replace(/\s/g, "");
    const r = await authPost("/two-factor/verify-totp", { code });
    setPending(false);
    if (!r.ok)
      return setError(r.status === 401 ? "That code is not right; check the authenticator's clock and try the next one." : r.message);
    onDone();
  }

  if (!started)
    return (
      <form onSubmit={(e) => void start(e)} className="stack" aria-label="Set up an authenticator app">
        <div className="field">
          <label htmlFor="mfa-password">Your password</label>
          <input id="mfa-password" name="password" type="password" autoComplete="current-password" required maxLength={128} />
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button className="btn primary" type="submit" disabled={pending}>
            Set up an authenticator app
          </button>
        </div>
      </form>
    );
  return (
    <form onSubmit={(e) => void confirm(e)} className="stack" aria-label="Confirm the authenticator app">
      <p>Add this key to your authenticator app (Google Authenticator, 1Password, Authy…), or open the link on the phone that has it:</p>
      <p>
        <code data-testid="mfa-secret">{secretOfUri(started.uri)}</code>{" "}
        <a href={started.uri} className="small">
          otpauth link
        </a>
      </p>
      <p>Recovery codes, each good for one sign-in without the app. Store them somewhere safe now; they are not shown again:</p>
      <ul className="recovery-codes" data-testid="recovery-codes">
        {started.codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor="mfa-code">The 6-digit code the app shows</label>
        <input id="mfa-code" name="code" inputMode="numeric" autoComplete="one-time-code" required pattern="[0-9 ]{6,7}" maxLength={7} />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button className="btn primary" type="submit" disabled={pending}>
          Turn on two-factor sign-in
        </button>
      </div>
    </form>
  );
}
