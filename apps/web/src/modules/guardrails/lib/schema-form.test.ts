import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldsFromSchema, fromText, humanize, toText } from "./schema-form.ts";
import type { JsonSchema } from "@/modules/guardrails/lib/schema-form";

// The same kind of schema the catalog serves: zod 4's JSON Schema for a control's parameters.
const params = z
  .object({
    additionalAwsActions: z
      .array(
        z
          .string()
          .max(128)
          .regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/),
      )
      .max(100)
      .default([]),
    protectAgentTag: z.boolean().default(true),
    services: z
      .array(z.enum(["s3", "ec2"]))
      .min(1)
      .default(["s3"]),
    labelKey: z.string().min(1).max(63).default("data"),
    nested: z.object({ a: z.number() }).optional(),
  })
  .strict();
const schema = z.toJSONSchema(params, { io: "input" }) as JsonSchema;

describe("fieldsFromSchema", () => {
  it("maps each parameter to the right control", () => {
    const fields = fieldsFromSchema(schema);
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ["additionalAwsActions", "string-list"],
      ["protectAgentTag", "boolean"],
      ["services", "enum-list"],
      ["labelKey", "string"],
      ["nested", "json"],
    ]);
    expect(fields[0]!.label).toBe("Additional AWS actions");
  });
});

describe("fromText", () => {
  const [actions, , , labelKey] = fieldsFromSchema(schema);
  it("splits lists on lines and commas and checks each entry's pattern", () => {
    expect(fromText(actions!, "s3:DeleteObject\n rds:DeleteDBInstance , ")).toEqual({ value: ["s3:DeleteObject", "rds:DeleteDBInstance"] });
    expect(fromText(actions!, "s3:DeleteObject\nnot an action")).toEqual({ error: '"not an action" is not in the expected format' });
  });
  it("enforces string bounds", () => {
    expect(fromText(labelKey!, "")).toEqual({ error: "is required" });
    expect(fromText(labelKey!, "x".repeat(64))).toEqual({ error: "must be at most 63 characters" });
  });
  it("round-trips list values through text", () => {
    expect(toText(actions!, ["a:B", "c:D"])).toBe("a:B\nc:D");
  });
});

describe("humanize", () => {
  it("keeps cloud acronyms readable", () => {
    expect(humanize("gcpPartnerCustomerIds")).toBe("GCP partner customer IDs");
    expect(humanize("tagAdminRoleArnPatterns")).toBe("Tag admin role ARN patterns");
  });
});
