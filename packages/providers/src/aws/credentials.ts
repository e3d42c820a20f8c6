import { z } from "zod";

/**
 * AWS credentials as Parapet stores them (encrypted) for one connection.
 *
 * - `assume-role` (preferred, keyless): Parapet assumes the connector role in the management account
 *   with the external id the onboarding wizard generated. The base identity that calls STS is the
 *   worker's own ambient identity in production (instance profile, IRSA, environment); the optional
 *   source keys exist for the simulators and for self-hosted workers without an ambient identity.
 * - `access-keys`: a long-term key of an IAM user in the management account (discouraged; kept for
 *   orgs that cannot create cross-account roles).
 */
const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/;
// The trust policy's sts:ExternalId value; STS accepts these characters, 2..1224 long.
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

const accessKeyId = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .max(128, `${field} must be at most 128 characters`)
    .regex(ACCESS_KEY_ID, { message: `${field} must be an AWS access key id like AKIA… (16-128 upper-case letters and digits)` });

const secretAccessKey = (field: string) =>
  z
    .string({ error: `${field} is required` })
    .min(16, `${field} is too short to be an AWS secret access key`)
    .max(128, `${field} must be at most 128 characters`);

const ZAwsAssumeRoleCredentials = z
  .object({
    kind: z.literal("assume-role"),
    roleArn: z
      .string({ error: "roleArn is required" })
      .trim()
      .max(2048, "roleArn must be at most 2048 characters")
      .regex(ROLE_ARN, { message: "roleArn must be an IAM role ARN like arn:aws:iam::111122223333:role/ParapetConnector" }),
    externalId: z
      .string({ error: "externalId is required: the connector role must require one (confused-deputy protection)" })
      .trim()
      .regex(EXTERNAL_ID, { message: "externalId must be 2-1224 characters of letters, digits and +=,.@:/-" }),
    sourceAccessKeyId: accessKeyId("sourceAccessKeyId").optional(),
    sourceSecretAccessKey: secretAccessKey("sourceSecretAccessKey").optional(),
  })
  .refine((c) => (c.sourceAccessKeyId === undefined) === (c.sourceSecretAccessKey === undefined), {
    message: "sourceAccessKeyId and sourceSecretAccessKey go together: give both or neither",
    path: ["sourceSecretAccessKey"],
  });

const ZAwsAccessKeyCredentials = z.object({
  kind: z.literal("access-keys"),
  accessKeyId: accessKeyId("accessKeyId"),
  secretAccessKey: secretAccessKey("secretAccessKey"),
});

export const ZAwsCredentials = z.discriminatedUnion("kind", [ZAwsAssumeRoleCredentials, ZAwsAccessKeyCredentials], {
  error: 'kind must be "assume-role" or "access-keys"',
});

export type TAwsCredentials = z.infer<typeof ZAwsCredentials>;

/** Identity facts of the connected organization (as core stores them); both optional for the adapter. */
export const ZAwsAdapterFacts = z.object({
  orgId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, "orgId must be an organization id like o-abc123def4")
    .optional(),
  managementAccountId: z
    .string()
    .regex(/^\d{12}$/, "managementAccountId must be a 12-digit account id")
    .optional(),
  rootId: z
    .string()
    .regex(/^r-[0-9a-z]{4,32}$/, "rootId must be a root id like r-ab12")
    .optional(),
});
export type TAwsAdapterFacts = z.infer<typeof ZAwsAdapterFacts>;
