/**
 * Why a reconcile did not run (pure). Callers decide on `kind`, never on the text: the text is for
 * people (the worker's log line, `ReconcileSummary.skippedReason`) and may be reworded; the kinds may not.
 */
export type SkipReason =
  | { kind: "connection-not-found" }
  /** Disabled or still a draft: nothing to reconcile until someone activates it. */
  | { kind: "connection-inactive"; status: "disabled" | "draft" }
  /** Active (or verifying, or in error) but without stored credentials. */
  | { kind: "no-credentials"; status: string }
  /** Another worker is reconciling this connection right now (it holds the connection's lease). */
  | { kind: "lease-held" };

/** The connection columns that decide whether it can be reconciled. */
export interface ConnectionEligibility {
  status: string;
  credentialCiphertext: unknown;
}

/** Why this connection row cannot be reconciled, or `null` when it can. */
export function connectionSkip(conn: ConnectionEligibility | null): SkipReason | null {
  if (!conn) return { kind: "connection-not-found" };
  if (conn.status === "disabled" || conn.status === "draft") return { kind: "connection-inactive", status: conn.status };
  if (!conn.credentialCiphertext) return { kind: "no-credentials", status: conn.status };
  return null;
}

/** The text people read (the worker's log line, `ReconcileSummary.skippedReason`). */
export function skipReasonText(reason: SkipReason): string {
  switch (reason.kind) {
    case "connection-not-found":
      return "connection not found";
    case "connection-inactive":
      return `connection is ${reason.status}`;
    case "no-credentials":
      // Said plainly: "connection is active" (what this used to say) read as if nothing were wrong.
      return `connection has no stored credentials (status ${reason.status})`;
    case "lease-held":
      return "another worker holds the lease";
  }
}

/**
 * Whether a skipped reconcile is worth retrying shortly: only a lease held by another worker ends by
 * itself (that run finishes, or its lease expires). The others need a person or a new job.
 */
export function retryAfterSkip(reason: SkipReason): boolean {
  switch (reason.kind) {
    case "lease-held":
      return true;
    case "connection-not-found":
    case "connection-inactive":
    case "no-credentials":
      return false;
  }
}
