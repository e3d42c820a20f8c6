"use client";
import { useState } from "react";
import { useCan } from "@/modules/shared/hooks/use-me";
import { errorMessage } from "@/modules/shared/lib/api";
import { useMySubscription, useSendReportNow, useSetSubscriptionActive, useSubscribe } from "../hooks/use-reports";

/** Subscribe/unsubscribe yourself and "send now" (to yourself, or to every subscriber for managers). */
export function ReportActions() {
  const { mine } = useMySubscription();
  const canManage = useCan("report", "manage");
  const subscribe = useSubscribe();
  const setActive = useSetSubscriptionActive();
  const sendNow = useSendReportNow();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const run = async (fn: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ ok: true, text: await fn() });
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
                async () => (await setActive.mutateAsync({ id: mine.id, active: false }), "You will no longer receive the weekly report."),
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
              void run(async () => (await subscribe.mutateAsync(undefined), "Subscribed: the weekly report will come to your inbox."))
            }
          >
            Subscribe
          </button>
        )}
        <button
          type="button"
          className="btn"
          disabled={busy}
          onClick={() => void run(async () => (await sendNow.mutateAsync("me"), "Sending this week's report to you now."))}
        >
          Send me a copy now
        </button>
        {canManage && (
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() =>
              void run(async () => (await sendNow.mutateAsync("subscribers"), "Sending this week's report to every subscriber now."))
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
