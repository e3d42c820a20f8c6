/**
 * The guardrails a new connection starts with (the onboarding wizard's default pack): high value, low
 * blast radius, enforced in every cloud where possible. Kept free of imports so the browser can load it.
 */
export const BASELINE_CONTROLS: readonly string[] = [
  "agent-no-destructive-actions",
  "deny-leave-organization",
  "audit-logging-locked",
  "deny-root-user",
];
