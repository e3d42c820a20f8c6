import { z } from "zod";

/**
 * Native AWS Organizations policy types. Parapet owns two policy types:
 * service control policies (SCP, principal side) and resource control policies (RCP, resource side).
 * Both use the IAM policy grammar (version 2012-10-17); RCPs additionally require `Principal: "*"`.
 */
export type TAwsPolicyType = "SCP" | "RCP";

/** Organizations API names of the two policy types. */
export const AWS_POLICY_TYPE_API_NAME: Record<TAwsPolicyType, string> = {
  SCP: "SERVICE_CONTROL_POLICY",
  RCP: "RESOURCE_CONTROL_POLICY",
};

/** `StringEquals`, `ArnNotLike`, `ForAnyValue:StringLike`, `BoolIfExists`, … → condition key → value(s). */
export type TIamConditionBlock = Record<string, Record<string, string | string[]>>;

export interface TIamStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  /** RCPs only accept `"*"`. SCPs must not carry a Principal. */
  Principal?: "*";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: TIamConditionBlock;
}

export interface TIamPolicyDocument {
  Version: "2012-10-17";
  Statement: TIamStatement[];
}

const ZStringOrList = z.union([z.string().max(2048), z.array(z.string().max(2048)).max(1000)]);

const ZIamStatement = z
  .object({
    Sid: z
      .string()
      .regex(/^[A-Za-z0-9]*$/)
      .max(128)
      .optional(),
    Effect: z.enum(["Allow", "Deny"]),
    Principal: z.literal("*").optional(),
    Action: ZStringOrList.optional(),
    NotAction: ZStringOrList.optional(),
    Resource: ZStringOrList.optional(),
    NotResource: ZStringOrList.optional(),
    Condition: z.record(z.string().max(128), z.record(z.string().max(256), ZStringOrList)).optional(),
  })
  .refine((s) => (s.Action === undefined) !== (s.NotAction === undefined), {
    message: "exactly one of Action or NotAction is required",
  });

/** Parses a policy document read back from AWS (observed state). */
export const ZIamPolicyDocument = z.object({
  Version: z.literal("2012-10-17"),
  Statement: z.union([ZIamStatement, z.array(ZIamStatement).max(1000)]).transform((s) => (Array.isArray(s) ? s : [s])),
});

/** An Organizations policy as Parapet desires it. */
export interface TAwsOrgPolicy {
  /** Organizations policy name (≤128 chars), `parapet-<ws-short>-<hash>`. */
  name: string;
  description: string;
  type: TAwsPolicyType;
  document: TIamPolicyDocument;
  /** Minified JSON as sent through the API; its length is what the size quota counts. */
  content: string;
  tags: Record<string, string>;
}

/**
 * Provider quotas in force for one connection (per-connection data). SCP defaults are AWS's since
 * May 2026 (10 per target, 10,240 characters); RCPs kept their own quotas (Organizations quotas page:
 * 5,120 characters per RCP, 5 RCPs per root/OU/account, RCPFullAWSAccess included), so they are
 * separate fields: packing RCPs to the SCP size would produce documents AWS refuses.
 */
export interface TAwsPolicyLimits {
  /** SCPs attachable to a single root/OU/account, including FullAWSAccess. */
  maxPoliciesPerTarget: number;
  /** Characters per SCP document as sent (minified). */
  maxPolicyChars: number;
  /** RCPs attachable to a single root/OU/account, including RCPFullAWSAccess. */
  maxRcpsPerTarget: number;
  /** Characters per RCP document as sent (minified). */
  maxRcpChars: number;
}

export const AWS_DEFAULT_LIMITS: Readonly<TAwsPolicyLimits> = {
  maxPoliciesPerTarget: 10,
  maxPolicyChars: 10_240,
  maxRcpsPerTarget: 5,
  maxRcpChars: 5_120,
};

/** The quotas of one policy type. */
export function awsTypeLimits(limits: TAwsPolicyLimits, type: TAwsPolicyType): { perTarget: number; chars: number } {
  return type === "RCP"
    ? { perTarget: limits.maxRcpsPerTarget, chars: limits.maxRcpChars }
    : { perTarget: limits.maxPoliciesPerTarget, chars: limits.maxPolicyChars };
}

/** The desired body of an aws.scp / aws.rcp artifact, as packing builds it. */
export const ZAwsOrgPolicyBody = z.object({
  name: z.string().min(1).max(128),
  description: z.string().max(512),
  type: z.enum(["SCP", "RCP"]),
  content: z.string().min(1).max(1_000_000),
  tags: z.record(z.string().max(128), z.string().max(256)).default({}),
});
export type TAwsOrgPolicyBody = z.infer<typeof ZAwsOrgPolicyBody>;
