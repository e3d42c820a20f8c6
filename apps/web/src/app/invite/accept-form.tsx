"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

interface Problem {
  message: string;
  fields: Record<string, string>;
}

/** Creates the account (new address) or signs in (existing account), and joins; the session opens on the workspace. */
export function AcceptForm({ token, email, hasAccount }: { token: string; email: string; hasAccount: boolean }) {
  const router = useRouter();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = (form.get("password") as string | null) ?? "";
    const name = ((form.get("name") as string | null) ?? "").trim();
    if (!hasAccount) {
      if (!name) return setProblem({ message: "Enter your name.", fields: { name: "Enter your name." } });
      if (password.length < 10) return setProblem({ message: "Choose a password of at least 10 characters.", fields: { password: "At least 10 characters." } });
      if (password !== form.get("confirm")) return setProblem({ message: "The two passwords differ.", fields: { confirm: "Type the same password again." } });
    }
    setProblem(null);
    setPending(true);
    try {
      const res = await fetch("/api/v1/invitations/accept", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token, password, ...(hasAccount ? {} : { name }) }),
      });
      if (res.ok) {
        router.replace("/");
        router.refresh();
        return;
      }
      const body = (await res.json().catch(() => null)) as { error?: { message?: string; issues?: { field: string; message: string }[] } } | null;
      const fields = Object.fromEntries((body?.error?.issues ?? []).map((i) => [i.field, i.message]));
      setProblem({ message: res.status === 429 ? "Too many attempts. Wait a minute and try again." : (body?.error?.message ?? "The invitation could not be accepted.").replace(/^\w+: /, ""), fields });
    } catch {
      setProblem({ message: "Parapet could not be reached. Check your connection and try again.", fields: {} });
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate>
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" value={email} readOnly />
      </div>
      {!hasAccount && (
        <div className="field">
          <label htmlFor="name">Your name</label>
          <input id="name" name="name" autoComplete="name" maxLength={100} required aria-invalid={!!problem?.fields.name} />
        </div>
      )}
      <div className="field">
        <label htmlFor="password">{hasAccount ? "Password" : "Choose a password"}</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete={hasAccount ? "current-password" : "new-password"}
          minLength={hasAccount ? undefined : 10}
          maxLength={128}
          required
          aria-invalid={!!problem?.fields.password}
        />
      </div>
      {!hasAccount && (
        <div className="field">
          <label htmlFor="confirm">Password again</label>
          <input id="confirm" name="confirm" type="password" autoComplete="new-password" maxLength={128} required aria-invalid={!!problem?.fields.confirm} />
        </div>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem.message}
        </p>
      )}
      <button className="btn primary" type="submit" disabled={pending} style={{ width: "100%" }}>
        {pending ? "Joining…" : hasAccount ? "Sign in and join" : "Create account and join"}
      </button>
    </form>
  );
}
