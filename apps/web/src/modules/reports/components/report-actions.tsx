"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiCall, errorMessage } from "@/modules/shared/lib/api";
import type { Subscription as SubscriptionRow } from "@/modules/shared/lib/contract";

type Subscription = Pick<SubscriptionRow, "id" | "email" | "active">;

/** Subscribe/unsubscribe yourself and "send now" (to yourself, or to every subscriber for managers). */
export function ReportActions({ mine, canManage }: { mine: Subscription | null; canManage: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const run = async (fn: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ ok: true, text: await fn() });
      router.refresh();
    } catch (e) {
      setMessage({ ok: false, text: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  const subscribed = !!mine?.active;
  return (
    <div className="stack">
      <div className="actions">
        {subscribed ? (
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() =>
              void run(
                async () => (
                  await apiCall("PATCH /reports/subscriptions/{id}", { params: { id: mine.id }, body: { active: false } }),
                  "You will no longer receive the weekly report."
                ),
              )
            }
          >
            Unsubscribe
          </button>
        ) : (
          <button
            type="button"
            className="btn primary"
            disabled={busy}
            onClick={() =>
              void run(
                async () => (
                  await apiCall("POST /reports/subscriptions", { body: {} }),
                  "Subscribed: the weekly report will come to your inbox."
                ),
              )
            }
          >
            Subscribe
          </button>
        )}
        <button
          type="button"
          className="btn"
          disabled={busy}
          onClick={() =>
            void run(
              async () => (await apiCall("POST /reports/send-now", { body: { to: "me" } }), "Sending this week's report to you now."),
            )
          }
        >
          Send me a copy now
        </button>
        {canManage && (
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() =>
              void run(
                async () => (
                  await apiCall("POST /reports/send-now", { body: { to: "subscribers" } }),
                  "Sending this week's report to every subscriber now."
                ),
              )
            }
          >
            Send now to subscribers
          </button>
        )}
      </div>
      {message && (
        <p role={message.ok ? "status" : "alert"} className={message.ok ? "success" : "error"} data-testid="report-action-message">
          {message.text}
        </p>
      )}
    </div>
  );
}
