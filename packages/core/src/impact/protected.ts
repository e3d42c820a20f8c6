/**
 * Who must never be denied (DESIGN.md: never lock out the connector or break-glass). A replay flags a
 * lockout when a denied call was made by the identity Parapet really signs in as (from the connection's
 * credentials, whatever the declared classes say: a wrong connector class is exactly the mistake this
 * catches) or by a principal of the declared connector / break-glass classes.
 *
 * Matching errs towards "protected": a lockout flag stops enforce and asks a person to look, so a false
 * flag costs a click, a missed one costs the repair path or emergency access.
 */
import type { AuditEvent, PrincipalFacts } from "@parapet/providers/contract";
import type { TPrincipalClassesByCloud } from "../catalog/principals.ts";
import type { TCloud } from "../catalog/types.ts";
import { arnLike } from "../reconcile/connector-identity.ts";
import type { TProtectedClass } from "./replay.ts";

/** The identity the connection's credentials name (credentialHints: roleArn, clientId, client_email, userId). */
export function connectorIdentity(cloud: TCloud, hints: unknown): string | null {
  const h = (hints && typeof hints === "object" ? hints : {}) as Record<string, unknown>;
  const pick = (k: string) => (typeof h[k] === "string" && h[k] !== "" ? h[k] : null);
  switch (cloud) {
    case "aws":
      return pick("roleArn");
    case "azure":
      return pick("clientId");
    case "gcp":
      return pick("client_email");
    case "oci":
      return pick("userId");
  }
}

/** `principal://…/serviceAccounts/x@p.iam.gserviceaccount.com`, `serviceAccount:x@…`, or a bare e-mail → the e-mail. */
function gcpEmail(id: string): string {
  const m = /([^/:]+@[^/]+)$/.exec(id);
  return (m?.[1] ?? id).toLowerCase();
}

/** AWS: an assumed-role session ARN (`arn:aws:sts::1:assumed-role/Name/session`) as the role ARN IAM matches. */
function awsRoleArn(id: string): string {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(id);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : id;
}

function callerIds(e: AuditEvent): string[] {
  const ids = [e.principal.id];
  // Azure logs both the object id (principal.id) and, for applications, the app id.
  const appid = e.context.appid;
  if (typeof appid === "string") ids.push(appid);
  return ids;
}

function inClass<C extends TCloud>(
  cloud: C,
  cls: TPrincipalClassesByCloud[C]["connector"] | TPrincipalClassesByCloud[C]["breakGlass"],
  e: AuditEvent,
  groups: readonly string[],
): boolean {
  switch (cloud) {
    case "aws": {
      const c = cls as TPrincipalClassesByCloud["aws"]["connector"];
      const arn = awsRoleArn(e.principal.id);
      return c.roleArnPatterns.some((p) => arnLike(p, arn));
    }
    case "azure": {
      const c = cls as TPrincipalClassesByCloud["azure"]["connector"];
      const ids = callerIds(e).map((x) => x.toLowerCase());
      return (
        c.appIds.some((a) => ids.includes(a.toLowerCase())) ||
        c.groupObjectIds.some((g) => groups.some((x) => x.toLowerCase() === g.toLowerCase()))
      );
    }
    case "gcp": {
      const c = cls as TPrincipalClassesByCloud["gcp"]["connector"];
      const me = gcpEmail(e.principal.id);
      // Principal sets (groups, domains) cannot be resolved from the log: only single principals match here.
      return c.some((p) => p.startsWith("principal://") && gcpEmail(p) === me);
    }
    case "oci": {
      const c = cls as TPrincipalClassesByCloud["oci"]["connector"];
      return c.principalIds.includes(e.principal.id) || c.groupIds.some((g) => groups.includes(g));
    }
  }
  return false;
}

export function protectedClassOf<C extends TCloud>(
  cloud: C,
  principals: TPrincipalClassesByCloud[C],
  connector: string | null,
  e: AuditEvent,
  facts: ReadonlyMap<string, PrincipalFacts>,
): TProtectedClass | null {
  if (connector) {
    const id = e.principal.id;
    // AWS: the same role name in any account of the org (connector roles are deployed per account under
    // one name, and SCPs spare them by `arn:aws:iam::*:role/<name>`).
    const same =
      cloud === "aws"
        ? awsRoleArn(id).replace(/:\d{12}:/, ":*:") === connector.replace(/:\d{12}:/, ":*:")
        : cloud === "gcp"
          ? gcpEmail(id) === gcpEmail(connector)
          : callerIds(e).some((x) => x.toLowerCase() === connector.toLowerCase());
    if (same) return "connector";
  }
  const groups = [...(e.principal.groups ?? []), ...(facts.get(e.principal.id)?.groups ?? [])];
  if (inClass(cloud, principals.connector, e, groups)) return "connector";
  if (inClass(cloud, principals.breakGlass, e, groups)) return "break-glass";
  return null;
}
