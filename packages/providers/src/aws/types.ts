import { z } from "zod";

/**
 * Native AWS Organizations policy types. Parapet owns two policy types:
 * service control policies (SCP, principal side) and resource control policies (RCP, resource side).
 * Both use the IAM policy grammar (version 2012-10-17); RCPs additionally require `Principal: "*"`.
 */
export type TAwsPolicyType = "SCP" | "RCP";
export const AWS_POLICY_TYPES: readonly TAwsPolicyType[] = ["SCP", "RCP"];

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

export const ZIamStatement = z
  .object({
    Sid: z.string().regex(/^[A-Za-z0-9]*$/).max(128).optional(),
    Effect: z.enum(["Allow", "Deny"]),
    Principal: z.literal("*").optional(),
    Action: ZStringOrList.optional(),
    NotAction: ZStringOrList.optional(),
    Resource: ZStringOrList.optional(),
    NotResource: ZStringOrList.optional(),
    Condition: z
      .record(z.string().max(128), z.record(z.string().max(256), ZStringOrList))
      .optional(),
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

/** Provider quotas in force for one connection (per-connection data, defaults since May 2026). */
export interface TAwsPolicyLimits {
  /** Policies of one type attachable to a single root/OU/account, including FullAWSAccess / RCPFullAWSAccess. */
  maxPoliciesPerTarget: number;
  /** Characters per policy document as sent (minified). */
  maxPolicyChars: number;
}

export const AWS_DEFAULT_LIMITS: Readonly<TAwsPolicyLimits> = { maxPoliciesPerTarget: 10, maxPolicyChars: 10_240 };

export const ZAwsPolicyLimits = z.object({
  maxPoliciesPerTarget: z.number().int().min(1).max(100).default(10),
  maxPolicyChars: z.number().int().min(256).max(1_000_000).default(10_240),
});
