import { E } from "./errors.ts";

export type PolicyType = "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
export const POLICY_TYPES: readonly PolicyType[] = ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"];

/** Every PolicyType value the API accepts; the ones outside POLICY_TYPES are "not available" here. */
export const ALL_POLICY_TYPE_VALUES = new Set([
  "SERVICE_CONTROL_POLICY",
  "RESOURCE_CONTROL_POLICY",
  "TAG_POLICY",
  "BACKUP_POLICY",
  "AISERVICES_OPT_OUT_POLICY",
  "CHATBOT_POLICY",
  "DECLARATIVE_POLICY_EC2",
  "SECURITYHUB_POLICY",
  "SECURITYHUB_CSPM_POLICY",
  "INSPECTOR_POLICY",
  "BEDROCK_POLICY",
  "GUARDDUTY_POLICY",
  "NETWORK_SECURITY_DIRECTOR_POLICY",
  "UPGRADE_ROLLOUT_POLICY",
]);

/** Services whose resources RCPs can govern (AWS RCP documentation). */
const RCP_SERVICES = new Set(["s3", "sts", "kms", "sqs", "secretsmanager", "cognito-identity", "logs", "dynamodb", "ecr", "aoss"]);

const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
  "Principal",
  "NotPrincipal",
]);

function isStringOrStrings(v: unknown): v is string | string[] {
  return typeof v === "string" || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string"));
}

const ACTION_RE = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;

/**
 * Validates that `content` is an IAM policy document acceptable for the policy type, throwing
 * MalformedPolicyDocumentException otherwise. The checks follow the SCP/RCP syntax pages: JSON object,
 * Version, one or more statements with Effect and Action/NotAction; SCPs take no Principal; RCPs require
 * Principal "*" and only name supported services.
 */
export function validatePolicyDocument(content: string, type: PolicyType, awsManaged = false): void {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch {
    throw E.malformed("the document is not valid JSON");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw E.malformed("the document must be a JSON object");
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (k !== "Version" && k !== "Statement" && k !== "Id") throw E.malformed(`unsupported top-level element ${k}`);
  }
  if (d.Version !== "2012-10-17" && d.Version !== "2008-10-17") throw E.malformed("Version must be 2012-10-17");
  const st = d.Statement;
  const statements = Array.isArray(st) ? (st as unknown[]) : st === undefined ? [] : [st];
  if (statements.length === 0) throw E.malformed("the document must contain at least one Statement");
  const sids = new Set<string>();
  statements.forEach((s, i) => {
    if (typeof s !== "object" || s === null || Array.isArray(s)) throw E.malformed(`Statement[${i}] must be an object`);
    const o = s as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!STATEMENT_KEYS.has(k)) throw E.malformed(`Statement[${i}] has unsupported element ${k}`);
    if (o.Sid !== undefined) {
      if (typeof o.Sid !== "string" || !/^[A-Za-z0-9]*$/.test(o.Sid)) throw E.malformed(`Statement[${i}].Sid must be alphanumeric`);
      if (o.Sid && sids.has(o.Sid)) throw E.malformed(`duplicate Sid ${o.Sid}`);
      sids.add(o.Sid);
    }
    if (o.Effect !== "Allow" && o.Effect !== "Deny") throw E.malformed(`Statement[${i}].Effect must be Allow or Deny`);
    const hasAction = o.Action !== undefined;
    const hasNotAction = o.NotAction !== undefined;
    if (hasAction === hasNotAction) throw E.malformed(`Statement[${i}] must have exactly one of Action or NotAction`);
    const actions = hasAction ? o.Action : o.NotAction;
    if (!isStringOrStrings(actions)) throw E.malformed(`Statement[${i}] Action must be a string or a list of strings`);
    const list = typeof actions === "string" ? [actions] : actions;
    for (const a of list) if (!ACTION_RE.test(a)) throw E.malformed(`Statement[${i}] has an invalid action "${a}"`);
    if (o.Resource !== undefined && o.NotResource !== undefined) throw E.malformed(`Statement[${i}] has both Resource and NotResource`);
    for (const k of ["Resource", "NotResource"] as const) {
      if (o[k] !== undefined && !isStringOrStrings(o[k])) throw E.malformed(`Statement[${i}].${k} must be a string or a list of strings`);
      // IAM JSON policy grammar: <resource_string> is "*" or an ARN; IAM answers
      // MalformedPolicyDocument "Resource <x> must be in ARN format or "*"." for anything else.
      for (const r of o[k] === undefined ? [] : typeof o[k] === "string" ? [o[k]] : o[k]) {
        if (r !== "*" && !/^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/.test(r)) throw E.malformed(`Resource ${r} must be in ARN format or "*".`);
      }
    }
    if (o.Condition !== undefined) {
      if (typeof o.Condition !== "object" || o.Condition === null || Array.isArray(o.Condition)) {
        throw E.malformed(`Statement[${i}].Condition must be an object`);
      }
      for (const [op, block] of Object.entries(o.Condition as Record<string, unknown>)) {
        if (typeof block !== "object" || block === null || Array.isArray(block)) {
          throw E.malformed(`Statement[${i}].Condition.${op} must be an object`);
        }
        // IAM JSON policy grammar: <condition_value> = "string" | number | Boolean, or a list of them;
        // anything else (an object, a list holding one) is a syntax error.
        for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
          const values = Array.isArray(value) ? value : [value];
          if (!values.every((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")) {
            throw E.malformed(`Statement[${i}].Condition.${op}.${key} must be a string, number, boolean or a list of them`);
          }
        }
      }
    }
    if (type === "SERVICE_CONTROL_POLICY") {
      if (o.Principal !== undefined || o.NotPrincipal !== undefined) throw E.malformed(`Statement[${i}]: SCPs do not support Principal`);
    } else {
      if (o.NotPrincipal !== undefined) throw E.malformed(`Statement[${i}]: RCPs do not support NotPrincipal`);
      if (o.Principal !== "*") throw E.malformed(`Statement[${i}]: RCPs require "Principal": "*"`);
      if (!awsManaged) {
        if (o.Effect !== "Deny") throw E.malformed(`Statement[${i}]: customer RCPs support only Deny statements`);
        for (const a of list) {
          const svc = a === "*" ? "*" : a.slice(0, a.indexOf(":"));
          if (svc === "*" || !RCP_SERVICES.has(svc)) throw E.malformed(`Statement[${i}]: action "${a}" is not supported in RCPs`);
        }
      }
    }
  });
}
