import type { Cloud, CoverageStatus, Fidelity } from "../lib/contract";
import { CLOUD_NAME } from "../lib/format";

const TONE: Record<string, "ok" | "warn" | "bad" | "info" | "neutral"> = {
  enforced: "ok",
  active: "ok",
  approved: "ok",
  resolved: "ok",
  succeeded: "ok",
  enforce: "ok",
  audit: "info",
  partial: "warn",
  detective: "info",
  pending: "warn",
  verifying: "warn",
  draft: "neutral",
  running: "warn",
  exempt: "neutral",
  drifted: "bad",
  open: "bad",
  error: "bad",
  failed: "bad",
  rejected: "bad",
  unsupported: "neutral",
  unknown: "neutral",
  disabled: "neutral",
  expired: "neutral",
  revoked: "neutral",
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span className={`badge ${TONE[status] ?? "neutral"}`}>{label ?? status}</span>;
}

export function FidelityBadge({ fidelity }: { fidelity: Fidelity }) {
  return (
    <span className={`badge ${TONE[fidelity] ?? "neutral"}`} title={`Fidelity: ${fidelity}`}>
      {fidelity}
    </span>
  );
}

export function CloudBadge({ cloud }: { cloud: Cloud }) {
  return <span className={`cloud-badge cloud-${cloud}`}>{CLOUD_NAME[cloud]}</span>;
}

/** Legend colours used by the matrix and bars; the text always says the status too. */
export const STATUS_COLOR: Record<CoverageStatus, string> = {
  enforced: "var(--ok)",
  audit: "var(--info)",
  exempt: "#8b8fa3",
  drifted: "var(--bad)",
  pending: "#d69e2e",
  unknown: "#c4c9d4",
  unsupported: "#e7e9ee",
};
