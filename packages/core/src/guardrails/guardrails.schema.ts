import { z } from "zod";

/** Ids Parapet issues (cuid / prefixed hex): bounded and free of anything a query could trip on. */
export const ZId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "must be an id (letters, digits, _ and -)");

const ZScope = z
  .object({
    all: z.boolean().optional(),
    nodeIds: z.array(ZId).max(500).optional(),
    labels: z.string().max(1000).optional(),
    exclude: z.array(ZId).max(500).optional(),
  })
  .strict();
export type TScope = z.infer<typeof ZScope>;

const ZGuardrailMode = z.enum(["audit", "enforce"]);
const ZRemediation = z.enum(["auto", "notify"]);
const ZParams = z.record(z.string().max(100), z.unknown());

export const ZCreateGuardrailInput = z
  .object({
    controlId: z.string().min(1).max(100),
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    params: ZParams.default({}),
    scope: ZScope,
    mode: ZGuardrailMode,
    remediation: ZRemediation,
  })
  .strict();
export type TCreateGuardrailInput = z.infer<typeof ZCreateGuardrailInput>;

export const ZUpdateGuardrailInput = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
    params: ZParams.optional(),
    scope: ZScope.optional(),
    mode: ZGuardrailMode.optional(),
    remediation: ZRemediation.optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();
export type TUpdateGuardrailInput = z.infer<typeof ZUpdateGuardrailInput>;

export const ZListGuardrailsQuery = z.object({ status: z.enum(["active", "disabled", "deleted"]).optional() });
export const ZDiffQuery = z.object({ from: z.coerce.number().int().min(1).max(100_000), to: z.coerce.number().int().min(1).max(100_000) });
export const ZCompileInput = z
  .object({ params: ZParams.default({}), mode: ZGuardrailMode.default("enforce"), cloud: z.enum(["aws", "azure", "gcp", "oci"]).optional() })
  .strict();
export const ZScopePreviewInput = z.object({ scope: ZScope }).strict();

/** The fields a version holds; an approval carries the proposed ones verbatim. */
export interface TVersionSpec {
  params: Record<string, unknown>;
  scope: TScope;
  mode: "audit" | "enforce";
  remediation: "auto" | "notify";
}
