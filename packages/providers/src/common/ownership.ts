import { ProviderError } from "../contract/errors.ts";

/**
 * The refusals every adapter gives. Ownership is always read from the cloud right before a change;
 * when the marker there does not name this workspace the change is refused as NOT_OWNED, never
 * attempted. `why` names the cloud's marker (tag, metadata key, name prefix) in the user's terms.
 */
export function notOwned(operation: string, what: string, why: string): ProviderError {
  return new ProviderError("invalid", `Parapet refuses to change ${what}: ${why}`, false, operation, "NOT_OWNED");
}

/** A request or configuration the adapter cannot act on; never retried. */
export function invalid(operation: string, message: string, code: string): ProviderError {
  return new ProviderError("invalid", message, false, operation, code);
}
