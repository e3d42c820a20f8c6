"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { authClient } from "@/lib/auth-client";

interface Problem {
  message: string;
  fields: Record<string, string>;
}

interface Props {
  token: string;
  /** The invited address. */
  email: string;
  /** The e-mailed link (proves the mailbox): only it can create an account. */
  mailboxProven: boolean;
  /** The address of the account this browser is signed in as, if any. */
  signedInAs: string | null;
}

type ApiError = { error?: { message?: string; issues?: { field: string; message: string }[] } } | null;

async function problemOf(res: Response): Promise<Problem> {
  const body = (await res.json().catch(() => null)) as ApiError;
  const fields = Object.fromEntries((body?.error?.issues ?? []).map((i) => [i.field, i.message]));
  const message =
    res.status === 429
      ? "Too many attempts. Wait a minute and try again."
      : (body?.error?.message ?? "The invitation could not be accepted.").replace(/^[\w.]+: /, "");
  return { message: message.charAt(0).toUpperCase() + message.slice(1), fields };
}

/**
 * Joins with the session (signed in as the invited address), signs in first through the ordinary
 * sign-in (rate-limited and backed off per account; the accept call never carries a password for an
 * existing account), or creates the account — the last only from the e-mailed link.
 */
export function AcceptForm({ token, email, mailboxProven, signedInAs }: Props) {
  const router = useRouter();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [pending, setPending] = useState(false);
  const [mode, setMode] = useState<"signin" | "create">(mailboxProven ? "create" : "signin");
  const signedInAsInvited = signedInAs !== null && signedInAs.toLowerCase() === email.toLowerCase();

  async function accept(extra: Record<string, string>): Promise<boolean> {
    const res = await fetch("/api/v1/invitations/accept", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token, ...extra }),
    });
    if (res.ok) {
      router.replace("/");
      router.refresh();
      return true;
    }
    setProblem(await problemOf(res));
    return false;
  }

  async function run(fn: () => Promise<unknown>) {
    setProblem(null);
    setPending(true);
    try {
      await fn();
    } catch {
      setProblem({ message: "Parapet could not be reached. Check your connection and try again.", fields: {} });
    } finally {
      setPending(false);
    }
  }

  async function onSignIn(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const password = (new FormData(e.currentTarget).get("password") as string | null) ?? "";
    await run(async () => {
      const { error } = await authClient.signIn.email({ email, password });
      if (error) {
        setProblem({
          message: error.status === 429 ? (error.message ?? "Too many attempts. Wait and try again.") : "The password is incorrect.",
          fields: { password: "Incorrect password." },
        });
        return;
      }
      if (!(await accept({}))) router.refresh();
    });
  }

  async function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = (form.get("password") as string | null) ?? "";
    const name = ((form.get("name") as string | null) ?? "").trim();
    if (!name) return setProblem({ message: "Enter your name.", fields: { name: "Enter your name." } });
    if (password.length < 10)
      return setProblem({ message: "Choose a password of at least 10 characters.", fields: { password: "At least 10 characters." } });
    if (password !== form.get("confirm"))
      return setProblem({ message: "The two passwords differ.", fields: { confirm: "Type the same password again." } });
    await run(() => accept({ name, password }));
  }

  const alert = problem && (
    <p className="error" role="alert">
      {problem.message}
    </p>
  );

  if (signedInAs !== null) {
    return signedInAsInvited ? (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => accept({}));
        }}
      >
        <p className="muted">You are signed in as {signedInAs}.</p>
        {alert}
        <button className="btn primary" type="submit" disabled={pending} style={{ width: "100%" }}>
          {pending ? "Joining…" : "Join the workspace"}
        </button>
      </form>
    ) : (
      <div>
        <p className="error" role="alert" data-testid="invitation-other-account">
          You are signed in as {signedInAs}, but this invitation is for {email}.
        </p>
        <button
          className="btn"
          type="button"
          onClick={() =>
            void run(async () => {
              await authClient.signOut();
              router.refresh();
            })
          }
        >
          Sign out
        </button>
      </div>
    );
  }

  return (
    <>
      {mode === "signin" ? (
        <form onSubmit={(e) => void onSignIn(e)} noValidate aria-label="Sign in and join">
          <div className="field">
            <label htmlFor="email">Email</label>
            <input id="email" name="email" type="email" autoComplete="username" value={email} readOnly />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              maxLength={128}
              required
              aria-invalid={!!problem?.fields.password}
            />
          </div>
          {alert}
          <button className="btn primary" type="submit" disabled={pending} style={{ width: "100%" }}>
            {pending ? "Joining…" : "Sign in and join"}
          </button>
        </form>
      ) : (
        <form onSubmit={(e) => void onCreate(e)} noValidate aria-label="Create account and join">
          <div className="field">
            <label htmlFor="email">Email</label>
            <input id="email" name="email" type="email" autoComplete="username" value={email} readOnly />
          </div>
          <div className="field">
            <label htmlFor="name">Your name</label>
            <input id="name" name="name" autoComplete="name" maxLength={80} required aria-invalid={!!problem?.fields.name} />
          </div>
          <div className="field">
            <label htmlFor="password">Choose a password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="new-password"
              minLength={10}
              maxLength={128}
              required
              aria-invalid={!!problem?.fields.password}
            />
          </div>
          <div className="field">
            <label htmlFor="confirm">Password again</label>
            <input
              id="confirm"
              name="confirm"
              type="password"
              autoComplete="new-password"
              maxLength={128}
              required
              aria-invalid={!!problem?.fields.confirm}
            />
          </div>
          {alert}
          <button className="btn primary" type="submit" disabled={pending} style={{ width: "100%" }}>
            {pending ? "Joining…" : "Create account and join"}
          </button>
        </form>
      )}
      {mailboxProven ? (
        <p className="muted" style={{ marginTop: 12 }}>
          <button className="linkish" type="button" onClick={() => (setProblem(null), setMode(mode === "signin" ? "create" : "signin"))}>
            {mode === "signin" ? "New to Parapet? Create your account" : "Already have a Parapet account? Sign in"}
          </button>
        </p>
      ) : (
        <p className="muted" style={{ marginTop: 12 }} data-testid="invitation-link-copy">
          New to Parapet? Open the link in the invitation e-mail sent to {email} to create your account: this copy of the link was given to
          whoever invited you and cannot confirm that the mailbox is yours.
        </p>
      )}
    </>
  );
}
