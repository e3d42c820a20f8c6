import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { CLOUDS, type TCloud } from "../catalog/types.ts";
import { CONTROL_IDS } from "../catalog/catalog.ts";

/**
 * The policy-as-code file (`guardrails.yaml`):
 *
 * ```yaml
 * version: 1
 * workspace: acme                      # ownership marker value; default "local"
 * connections:                         # only the clouds listed here are compiled
 *   aws:
 *     facts: { orgId: o-abc123def4, managementAccountId: "111122223333" }
 *     principals: { agents: { tag: { key: agent, value: "true" } } }   # defaults apply
 *     limits: { maxPoliciesPerTarget: 10, maxPolicyChars: 10240, maxRcpsPerTarget: 5, maxRcpChars: 5120 }
 *     slotsTaken: { ou-abcd-prod1234: { SCP: 3 } }                      # other tools' policies
 *   gcp: { facts: {...}, principals: {...} }
 * guardrails:
 *   - id: agents-prod                  # stable guardrail id
 *     control: agent-no-destructive-actions
 *     mode: enforce                    # or audit
 *     params: {}
 *     scope:                           # attachment points per cloud; default: the cloud's root
 *       aws: [ou-abcd-prod1234]
 * ```
 */
const ZId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "must be kebab-case");
const ZTarget = z.string().min(1).max(512);

const ZConnection = z
  .object({
    facts: z.record(z.string().max(64), z.unknown()).default({}),
    principals: z.record(z.string().max(64), z.unknown()).default({}),
    limits: z
      .object({
        maxPoliciesPerTarget: z.number().int().min(1).max(100).optional(),
        maxPolicyChars: z.number().int().min(256).max(1_000_000).optional(),
        maxRcpsPerTarget: z.number().int().min(1).max(100).optional(),
        maxRcpChars: z.number().int().min(256).max(1_000_000).optional(),
      })
      .strict()
      .optional(),
    slotsTaken: z
      .record(
        ZTarget,
        z.object({ SCP: z.number().int().min(0).max(100).optional(), RCP: z.number().int().min(0).max(100).optional() }).strict(),
      )
      .optional(),
  })
  .strict();

export const ZGuardrailsFile = z
  .object({
    version: z.literal(1),
    workspace: z.string().min(1).max(64).default("local"),
    connections: z
      .object({ aws: ZConnection.optional(), azure: ZConnection.optional(), gcp: ZConnection.optional(), oci: ZConnection.optional() })
      .strict(),
    guardrails: z
      .array(
        z
          .object({
            id: ZId,
            control: z
              .string()
              .max(64)
              .refine((c) => CONTROL_IDS.includes(c), { message: `unknown control; known: ${CONTROL_IDS.join(", ")}` }),
            mode: z.enum(["audit", "enforce"]).default("enforce"),
            version: z.number().int().min(1).default(1),
            params: z.record(z.string().max(64), z.unknown()).default({}),
            scope: z
              .object({
                aws: z.array(ZTarget).max(2000).optional(),
                azure: z.array(ZTarget).max(2000).optional(),
                gcp: z.array(ZTarget).max(2000).optional(),
                oci: z.array(ZTarget).max(2000).optional(),
              })
              .strict()
              .default({}),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.guardrails.forEach((g, i) => {
      if (seen.has(g.id)) ctx.addIssue({ code: "custom", path: ["guardrails", i, "id"], message: `duplicate guardrail id "${g.id}"` });
      seen.add(g.id);
    });
  });

export type TGuardrailsFile = z.output<typeof ZGuardrailsFile>;

export class FileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "FileError";
  }
}

/** Locates a value path in the YAML document: `line:col` of the deepest node that exists. */
function locate(doc: Document, lines: LineCounter, path: readonly (string | number)[]): string {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return `${pos.line}:${pos.col}`;
    }
  }
  return "1:1";
}

export interface TParsedFile {
  file: string;
  data: TGuardrailsFile;
  /** `file:line:col` for a value path, for errors found after parsing (params, principals). */
  where(path: readonly (string | number)[]): string;
}

/** Alias expansions allowed while reading a file: a "billion laughs" document is refused, not expanded. */
const MAX_ALIAS_COUNT = 1000;

/**
 * The YAML library answers a hostile document (deeply nested, or aliases multiplying each other) by
 * overflowing the stack or throwing; either way the user gets one line naming the problem, not a trace.
 */
function hostileYaml(e: unknown): string | null {
  if (e instanceof RangeError || (e instanceof Error && /Maximum call stack/.test(e.message))) return "nested too deeply to read";
  if (e instanceof ReferenceError && /alias/i.test(e.message)) return `aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT})`;
  return null;
}

export function parseGuardrailsFile(file: string, text: string): TParsedFile {
  const lines = new LineCounter();
  let doc: Document;
  let data: unknown;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0) {
      throw new FileError(
        doc.errors.map((e) => {
          const pos = e.linePos?.[0];
          return `${file}:${pos ? `${pos.line}:${pos.col}` : "1:1"} ${hostileYaml(e) ?? e.message.split("\n")[0]}`;
        }),
      );
    }
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const why = hostileYaml(e);
    if (why) throw new FileError([`${file}:1:1 ${why}`]);
    throw e;
  }
  let r: ReturnType<typeof ZGuardrailsFile.safeParse>;
  try {
    r = ZGuardrailsFile.safeParse(data);
  } catch (e) {
    // Validation walks the document recursively: a value nested thousands deep (in params) overflows it.
    const why = hostileYaml(e);
    if (why) throw new FileError([`${file}:1:1 ${why}`]);
    throw e;
  }
  if (!r.success) {
    throw new FileError(
      r.error.issues.map((i) => {
        const path = i.path.map((p) => (typeof p === "number" ? p : String(p)));
        return `${file}:${locate(doc, lines, path)} ${path.join(".") || "(root)"}: ${i.message}`;
      }),
    );
  }
  return { file, data: r.data, where: (path) => `${file}:${locate(doc, lines, path)}` };
}

export function configuredClouds(f: TGuardrailsFile): TCloud[] {
  return CLOUDS.filter((c) => f.connections[c] !== undefined);
}
