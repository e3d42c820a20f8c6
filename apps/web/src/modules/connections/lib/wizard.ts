/** The onboarding wizard's steps, in order. The position is saved on the connection (wizardState). */
export const WIZARD_STEPS = [
  { id: "cloud", label: "Choose cloud" },
  { id: "bootstrap", label: "Bootstrap access" },
  { id: "credentials", label: "Identifiers & credentials" },
  { id: "verify", label: "Verify" },
  { id: "hierarchy", label: "Discover hierarchy" },
  { id: "baseline", label: "Baseline guardrails" },
  { id: "preview", label: "Plan preview" },
  { id: "start", label: "Start" },
] as const;

export type WizardStep = (typeof WIZARD_STEPS)[number]["id"] | "done";

/** What the wizard keeps on the connection (`wizardState`, a JSON object). */
export type WizardState = {
  step?: WizardStep;
  baseline?: string[];
  previewRequestedAt?: string;
  mode?: "audit" | "enforce";
};

export function stepIndex(s: WizardStep): number {
  if (s === "done") return WIZARD_STEPS.length;
  return WIZARD_STEPS.findIndex((x) => x.id === s);
}

/** Reads a saved state defensively: it is JSON someone else may have written. */
export function readWizardState(raw: unknown): WizardState {
  if (!raw || typeof raw !== "object") return {};
  const o = raw as Record<string, unknown>;
  const step =
    typeof o.step === "string" && (o.step === "done" || WIZARD_STEPS.some((s) => s.id === o.step)) ? (o.step as WizardStep) : undefined;
  const baseline = Array.isArray(o.baseline) ? o.baseline.filter((x): x is string => typeof x === "string") : undefined;
  const mode = o.mode === "audit" || o.mode === "enforce" ? o.mode : undefined;
  return {
    ...(step ? { step } : {}),
    ...(baseline ? { baseline } : {}),
    ...(typeof o.previewRequestedAt === "string" ? { previewRequestedAt: o.previewRequestedAt } : {}),
    ...(mode ? { mode } : {}),
  };
}

/** The controls a new connection starts with (one list for the wizard and the tests that apply it on every cloud). */
export { BASELINE_CONTROLS } from "@parapet/core/catalog/baseline";
