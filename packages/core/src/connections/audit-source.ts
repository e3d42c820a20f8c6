import { z } from "zod";
import type { TCloud } from "../catalog/types.ts";
import { AppError } from "../common/errors.ts";

/**
 * Where impact replay reads a connection's audit log, beyond what the connector reads by default.
 * AWS: LookupEvents answers only for the management account (where SCPs never apply), so a replay that
 * matters reads the organization trail's log files: the bucket, its key prefix and the Regions it logs
 * (CloudTrail "Creating a trail for an organization"; delivery layout AWSLogs/<org>/<account>/CloudTrail/<region>/).
 * The other clouds' readers need nothing more than the connector's own scope.
 */
const ZAwsAuditSource = z
  .object({
    orgTrail: z
      .object({
        // S3 bucket naming rules (general purpose buckets): 3-63 lowercase letters, digits, dots, hyphens.
        bucket: z
          .string()
          .min(3)
          .max(63)
          .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, "must be an S3 bucket name"),
        prefix: z
          .string()
          .max(200)
          .regex(/^[A-Za-z0-9!_.*'()/-]*[^/]$/, "must be an S3 key prefix without a trailing slash")
          .optional(),
        regions: z
          .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS Region such as us-east-1"))
          .min(1)
          .max(40),
      })
      .strict()
      .optional(),
    /**
     * An AWS Config aggregator over the organization, in the connector's account: replays read member
     * accounts' IAM role and user tags from it (aws:PrincipalTag). SelectAggregateResourceConfig names it
     * with 1-256 of [\w-].
     */
    configAggregator: z
      .object({
        name: z
          .string()
          .min(1)
          .max(256)
          .regex(/^[\w-]+$/, "must be an AWS Config aggregator name (letters, digits, _ and -)"),
        region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS Region such as us-east-1"),
      })
      .strict()
      .optional(),
  })
  .strict();
const ZEmpty = z.object({}).strict();

const SCHEMAS: Record<TCloud, z.ZodType> = { aws: ZAwsAuditSource, azure: ZEmpty, gcp: ZEmpty, oci: ZEmpty };

export function checkAuditSource(cloud: string, value: unknown): void {
  const schema = SCHEMAS[cloud as TCloud];
  const r = schema.safeParse(value);
  if (r.success) return;
  const i = r.error.issues[0]!;
  const field = ["auditSource", ...i.path.map(String)].join(".");
  throw new AppError(
    "validation",
    `${field}: ${i.code === "unrecognized_keys" && cloud !== "aws" ? `${cloud} connections take no audit source` : i.message}`,
    [{ field, message: i.message }],
  );
}
