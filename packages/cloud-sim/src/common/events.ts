import { createHmac } from "node:crypto";

/**
 * Posts audit-style events (EventBridge / Event Grid / Cloud Audit Log / OCI Events shaped, decided by
 * each simulator) to a configured webhook after every mutation. Delivery is asynchronous and
 * best-effort, like the clouds' own: a failed POST is retried a few times, then dropped and counted.
 *
 * Signature headers: `x-parapet-timestamp` (epoch seconds) and
 * `x-parapet-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` when a secret is set.
 */
export class WebhookEmitter {
  private target: { url: string; secret?: string } | undefined;
  private inflight = new Set<Promise<void>>();
  delivered = 0;
  dropped = 0;

  constructor(target?: { url: string; secret?: string }) {
    this.target = target;
  }

  configure(target: { url: string; secret?: string } | undefined): void {
    this.target = target;
  }

  emit(event: unknown): void {
    const t = this.target;
    if (!t) return;
    const body = JSON.stringify(event);
    const p = this.deliver(t, body).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Resolves when every event emitted so far has been delivered or dropped. */
  async flush(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private async deliver(t: { url: string; secret?: string }, body: string): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const ts = Math.floor(Date.now() / 1000).toString();
        const headers: Record<string, string> = { "content-type": "application/json", "x-parapet-timestamp": ts };
        if (t.secret) {
          headers["x-parapet-signature"] = "sha256=" + createHmac("sha256", t.secret).update(`${ts}.${body}`).digest("hex");
        }
        const res = await fetch(t.url, { method: "POST", headers, body, signal: AbortSignal.timeout(5000) });
        if (res.ok) {
          this.delivered++;
          return;
        }
        if (res.status < 500 && res.status !== 429) break;
      } catch {
        // retried below
      }
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
    this.dropped++;
  }
}
