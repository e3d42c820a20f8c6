"use client";
import Link from "next/link";
import { useApprovals } from "@/modules/approvals/hooks/use-approvals";
import { Empty, QueryState } from "@/modules/shared/components/states";
import { ago, personLabel } from "@/modules/shared/lib/format";
import { useActivity } from "../hooks/use-overview";

export function ActivityPanel() {
  const q = useActivity(10);
  return (
    <section className="card" aria-labelledby="act-h">
      <div className="section-head">
        <h2 id="act-h">Recent activity</h2>
        <Link href="/audit">Audit log →</Link>
      </div>
      <QueryState q={q} empty={<Empty title="Nothing has happened yet" />} isEmpty={(d) => d.length === 0}>
        {(events) => (
          <ul className="rows scroll" data-testid="activity">
            {events.map((e) => (
              <li key={e.id}>
                <span>
                  <code>{e.action}</code> {e.targetType ? `${e.targetType} ${e.targetId ?? ""}` : ""}
                </span>
                <span className="meta">
                  {personLabel(e.actor)} · {ago(e.at)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </section>
  );
}

export function PendingApprovalsPanel() {
  const q = useApprovals("pending");
  return (
    <section className="card" aria-labelledby="appr-h">
      <div className="section-head">
        <h2 id="appr-h">Pending approvals</h2>
        <Link href="/approvals">Inbox →</Link>
      </div>
      <QueryState q={q} empty={<Empty title="Nothing waiting for sign-off" />} isEmpty={(d) => d.length === 0}>
        {(items) => (
          <ul className="rows" data-testid="pending-approvals">
            {items.slice(0, 6).map((a) => (
              <li key={a.id}>
                <Link href={`/approvals#${a.id}`}>{a.summary || a.action}</Link>
                <span className="meta">
                  by {personLabel(a.requestedBy)} · {ago(a.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </section>
  );
}
