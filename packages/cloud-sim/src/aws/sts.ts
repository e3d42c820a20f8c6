import { AwsError } from "./errors.ts";
import type { IamRegistry, Principal } from "./iam.ts";

/**
 * STS over the awsQuery protocol (form-encoded `Action=…&Version=2011-06-15`, XML answers), enough for a
 * provider to assume a role with an external id and to ask who it is.
 */

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);
}

export function stsErrorXml(err: AwsError, requestId: string): string {
  const type = err.status >= 500 ? "Receiver" : "Sender";
  return (
    `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${xmlEscape(err.code)}</Code>` +
    `<Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

const validation = (msg: string) => new AwsError("ValidationError", msg, 400);

function notAuthorized(caller: Principal, roleArn: string): AwsError {
  return new AwsError("AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
}

/** Answers one STS action; returns the XML body (status 200) or throws AwsError. */
export function handleSts(params: URLSearchParams, caller: Principal, iam: IamRegistry, requestId: string, now = Date.now()): string {
  const action = params.get("Action");
  const version = params.get("Version");
  if (version !== "2011-06-15") {
    throw new AwsError("InvalidAction", `Could not find operation ${action ?? ""} for version ${version ?? "NO_VERSION_SPECIFIED"}`, 400);
  }
  const meta = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  switch (action) {
    case "GetCallerIdentity":
      return (
        `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult>` +
        `<Arn>${xmlEscape(caller.arn)}</Arn><UserId>${xmlEscape(caller.principalId)}</UserId><Account>${caller.accountId}</Account>` +
        `</GetCallerIdentityResult>${meta}</GetCallerIdentityResponse>`
      );
    case "AssumeRole": {
      const roleArn = params.get("RoleArn");
      const sessionName = params.get("RoleSessionName");
      if (!roleArn)
        throw validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
      if (roleArn.length < 20 || roleArn.length > 2048) {
        throw validation(
          `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
        );
      }
      if (!sessionName) {
        throw validation(
          "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
        );
      }
      if (!SESSION_NAME_RE.test(sessionName)) {
        throw validation(
          `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
        );
      }
      const externalId = params.get("ExternalId");
      if (externalId !== null && !EXTERNAL_ID_RE.test(externalId)) {
        throw validation(
          `1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*`,
        );
      }
      const durationRaw = params.get("DurationSeconds");
      const duration = durationRaw === null ? 3600 : Number(durationRaw);
      if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
        throw validation(
          `1 validation error detected: Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900 and less than or equal to 43200`,
        );
      }
      const role = iam.role(roleArn);
      // A missing role, an untrusted caller and a wrong external id all look the same to the caller, as in AWS.
      if (!role || !iam.trusts(role, caller)) throw notAuthorized(caller, roleArn);
      if (role.spec.externalId !== undefined && role.spec.externalId !== externalId) throw notAuthorized(caller, roleArn);
      const max = role.spec.maxSessionSeconds ?? 3600;
      if (duration > max) {
        throw validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
      }
      const s = iam.createSession(role, sessionName, duration, now);
      const exp = new Date(s.expiresAt!).toISOString().replace(/\.\d{3}Z$/, "Z");
      return (
        `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult>` +
        `<AssumedRoleUser><AssumedRoleId>${xmlEscape(s.principal.principalId)}</AssumedRoleId><Arn>${xmlEscape(s.principal.arn)}</Arn></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>${s.principal.accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(s.secretAccessKey)}</SecretAccessKey>` +
        `<SessionToken>${xmlEscape(s.sessionToken!)}</SessionToken><Expiration>${exp}</Expiration></Credentials>` +
        `</AssumeRoleResult>${meta}</AssumeRoleResponse>`
      );
    }
    default:
      throw new AwsError("InvalidAction", `Could not find operation ${action ?? ""} for version 2011-06-15`, 400);
  }
}
