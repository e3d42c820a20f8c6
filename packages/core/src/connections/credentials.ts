import { type z } from "zod";
import { AppError, type FieldIssue } from "../common/errors.ts";
import { ZConnectionFacts, ZPrincipalClasses } from "../catalog/principals.ts";
import { wildcardOnlyIssues } from "./principal-change.ts";
import { ZCredentialsByCloud, type TCloudName } from "./connections.schema.ts";

/** Zod issues under `prefix` as a 422 naming the first field. */
function invalidAt(prefix: string, e: z.ZodError): AppError {
  const issues: FieldIssue[] = e.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].join("."), message: i.message }));
  const first = issues[0]!;
  return new AppError("validation", `${first.field}: ${first.message}`, issues);
}

export function parseCredentials(cloud: TCloudName, raw: unknown): Record<string, unknown> {
  const r = ZCredentialsByCloud[cloud].safeParse(raw);
  if (!r.success) throw invalidAt("credentials", r.error);
  return r.data;
}

export function parseFacts(cloud: TCloudName, raw: unknown): Record<string, unknown> {
  const r = ZConnectionFacts[cloud].safeParse(raw);
  if (!r.success) throw invalidAt("facts", r.error);
  return r.data;
}

/**
 * Principal classes are stored as given (compilers apply defaults), but must parse for this cloud and
 * must not name everyone (a break-glass class of `arn:aws:iam::*:role/*` exempts every role from every
 * deny).
 */
export function checkPrincipals(cloud: TCloudName, raw: unknown): Record<string, unknown> {
  const r = ZPrincipalClasses[cloud].safeParse(raw ?? {});
  if (!r.success) throw invalidAt("principals", r.error);
  const issues = wildcardOnlyIssues(cloud, (raw ?? {}) as Record<string, unknown>);
  if (issues.length) throw new AppError("validation", `${issues[0]!.field}: ${issues[0]!.message}`, issues);
  return (raw ?? {}) as Record<string, unknown>;
}

const tail = (s: unknown) => (typeof s === "string" && s.length > 4 ? `…${s.slice(-4)}` : undefined);

/** Non-secret identifiers the UI may show (never a secret, key or token). */
export function credentialHints(cloud: TCloudName, c: Record<string, unknown>): Record<string, string> {
  const pick = (o: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(keys.filter((k) => typeof o[k] === "string").map((k) => [k, o[k] as string]));
  switch (cloud) {
    case "aws":
      return c.kind === "assume-role"
        ? { kind: "assume-role", ...pick(c, ["roleArn", "externalId"]) }
        : { kind: "access-keys", accessKeyId: `${String(c.accessKeyId).slice(0, 4)}${tail(c.accessKeyId) ?? ""}` };
    case "azure":
      return { ...pick(c, ["kind", "tenantId", "clientId"]) };
    case "gcp": {
      const key = (c.key ?? {}) as Record<string, unknown>;
      return { type: String(c.type), ...pick(key, ["client_email", "project_id", "private_key_id"]) };
    }
    case "oci":
      return pick(c, ["tenancyId", "userId", "fingerprint", "region"]);
  }
}
