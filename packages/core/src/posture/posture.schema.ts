import { z } from "zod";
import { stored } from "../common/wire.schema.ts";

export const ZPostureScanQueued = z.object({ scanId: z.string(), connectionId: z.string(), queued: z.boolean() });

/** "external, watched": Parapet reports drift of the customer's policy; `false` stops watching. */
export const ZWatchForeignPolicyInput = z
  .object({
    policyId: z.string().min(1).max(64),
    watch: z.boolean(),
  })
  .strict();
export type TWatchForeignPolicyInput = z.input<typeof ZWatchForeignPolicyInput>;

/**
 * Adopt: replace the customer's policy with this guardrail's own artifact. `bodyHash` is the policy's hash
 * as the admin saw it (posture view); a policy the scan has since read differently is refused.
 */
export const ZAdoptForeignPolicyInput = z
  .object({
    policyId: z.string().min(1).max(64),
    guardrailId: z.string().min(1).max(64),
    bodyHash: z.string().regex(/^[0-9a-f]{64}$/, "must be the policy's bodyHash from the posture view (64 hex characters)"),
  })
  .strict();
export type TAdoptForeignPolicyInput = z.input<typeof ZAdoptForeignPolicyInput>;

/** The planned change of an adoption, before anyone asks for it. */
export const ZAdoptionPlan = z.object({
  policy: z.object({ id: z.string(), name: z.string(), externalId: z.string(), kind: z.string(), managedBy: z.string().nullable() }),
  guardrail: z.object({ id: z.string(), name: z.string(), controlId: z.string(), version: z.number().int() }),
  targets: z.array(z.object({ externalId: z.string(), name: z.string() })),
  steps: z.array(z.string()),
  warnings: z.array(z.string()),
  bodyHash: z.string(),
});

const ZFailing = z.array(z.object({ name: z.string(), expected: z.string(), actual: z.string(), detail: z.string().optional() }));

const ZForeignPolicyView = z.object({
  id: z.string(),
  kind: z.string(),
  externalId: z.string(),
  name: z.string(),
  attachments: z.array(z.string()),
  size: z.number().int(),
  managedBy: z.string().nullable(),
  /** unset | watched | adopted */
  stance: z.string(),
  /** What an adoption request must quote (sha256 of the body and attachments the last scan read). */
  bodyHash: z.string(),
  /** The newest adoption of this policy, if any. */
  adoption: z
    .object({
      id: z.string(),
      approvalId: z.string(),
      guardrailId: z.string(),
      /** pending | rejected | approved | detaching | rolling-back | done | failed | rolled-back */
      state: z.string(),
      targets: z.array(z.string()),
      detached: z.array(z.string()),
      leftAttached: z.array(z.string()),
      error: z.string().nullable(),
      finishedAt: z.string().nullable(),
    })
    .nullable(),
  driftDetectedAt: z.string().nullable(),
  goneAt: z.string().nullable(),
});

export const ZPostureView = z.object({
  connectionId: z.string(),
  scan: z
    .object({
      id: z.string(),
      status: z.string(),
      error: z.string().nullable(),
      calls: z.number().int(),
      durationMs: z.number().int().nullable(),
      policies: z.number().int(),
      unreadable: stored(z.array(z.object({ what: z.string(), reason: z.string() }))),
      slots: stored(
        z.array(
          z.object({
            target: z.string(),
            what: z.string(),
            used: z.number().int(),
            limit: z.number().int(),
            policies: z.array(z.string()),
            largestChars: z.number().int().optional(),
            charLimit: z.number().int().optional(),
          }),
        ),
      ),
      lockouts: stored(z.array(z.object({ call: z.string(), by: z.array(z.string()), detail: z.string() }))),
      createdAt: z.string(),
      finishedAt: z.string().nullable(),
    })
    .nullable(),
  policies: z.array(ZForeignPolicyView),
  /** Per control: how many environments each status, the policies credited, and the scenarios that fail most. */
  controls: z.array(
    z.object({
      controlId: z.string(),
      title: z.string(),
      enforced: z.number().int(),
      partial: z.number().int(),
      none: z.number().int(),
      enforcedBy: z.array(z.string()),
      failing: z.array(z.string()),
    }),
  ),
});

export const ZNodePosture = z.object({
  nodeId: z.string(),
  controls: z.array(
    z.object({
      controlId: z.string(),
      title: z.string(),
      status: z.string(),
      enforcedBy: z.array(z.string()),
      failing: stored(ZFailing),
    }),
  ),
});
