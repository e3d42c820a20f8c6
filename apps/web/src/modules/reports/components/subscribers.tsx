"use client";
import { useState } from "react";
import { errorMessage } from "@/modules/shared/lib/api";
import type { Subscription } from "@/modules/shared/lib/contract";
import { useDeleteSubscription, useSetSubscriptionActive, useSubscribe } from "../hooks/use-reports";

type Row = Pick<Subscription, "id" | "email" | "active" | "unsubscribedAt">;

/** The subscriber list for managers: add any address (an auditor outside the workspace), pause, remove. */
export function Subscribers({ rows }: { rows: Row[] }) {
  const subscribe = useSubscribe();
  const setActive = useSetSubscriptionActive();
  const remove = useDeleteSubscription();
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | null>(null);
  const act = (p: Promise<unknown>) => p.then(() => setError(null)).catch((e: unknown) => setError(errorMessage(e)));
  return (
    <div className="stack">
      {rows.length === 0 ? (
        <p className="muted">Nobody is subscribed yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>{r.email}</td>
                  <td>
                    <span className={`badge ${r.active ? "ok" : "neutral"}`}>{r.active ? "subscribed" : "unsubscribed"}</span>
                  </td>
                  <td className="nowrap">
                    <button
                      type="button"
                      className="btn small ghost"
                      onClick={() => void act(setActive.mutateAsync({ id: r.id, active: !r.active }))}
                    >
                      {r.active ? "Pause" : "Resume"}
                    </button>{" "}
                    <button type="button" className="btn small danger" onClick={() => void act(remove.mutateAsync(r.id))}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(subscribe.mutateAsync(email).then(() => setEmail("")));
        }}
      >
        <label>
          Add an address{" "}
          <input
            type="email"
            required
            maxLength={254}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            placeholder="auditor@example.com"
          />
        </label>
        <button type="submit" className="btn small">
          Subscribe address
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
