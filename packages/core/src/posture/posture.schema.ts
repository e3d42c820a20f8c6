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
