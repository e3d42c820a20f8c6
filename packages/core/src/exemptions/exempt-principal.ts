/**
 * One principal an exemption spares from one guardrail, in its cloud's own identifier. An exemption names
 * exactly one identity: no wildcard, no group or principal set, because "who else matches this pattern?"
 * must have one answer when a second member approves it. Checked here, where the request arrives; the
 * compilers then add it to the same exception list as the connector and break-glass (catalog/compilers).
 */
import type { CloudId } from "@parapet/providers/contract";

/**
 * AWS: an IAM role or user ARN, exact. SCPs and RCPs test it with `aws:PrincipalArn`, which for a role
 * session is the role's ARN, not the session's (IAM User Guide, "AWS global condition context keys",
 * aws:PrincipalArn). Role paths are allowed; `*` and `?` are not (ArnNotLike would treat them as wildcards).
 */
const AWS = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[A-Za-z0-9+=,.@_/-]{1,512}$/;
/**
 * GCP: a single-identity IAM v2 identifier as deny policies' `exceptionPrincipals` accept it
 * (cloud.google.com/iam/docs/principal-identifiers: `principal://iam.googleapis.com/projects/-/serviceAccounts/…`,
 * `principal://goog/subject/…`, workforce/workload pool subjects). `principalSet://` names many: refused.
 */
const GCP = /^principal:\/\/(iam\.googleapis\.com|goog)\/[A-Za-z0-9@._/:-]{1,500}$/;
/**
 * OCI: a user or instance OCID, excepted with `request.principal.id != '<ocid>'` (IAM policy reference,
 * "General Variables for All Requests"): the same form connector/break-glass principalIds take.
 */
const OCI = /^ocid1\.(user|instance|resource)\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9]+$/;

const RULES: Record<Exclude<CloudId, "azure">, { re: RegExp; hint: string }> = {
  aws: { re: AWS, hint: "must be one IAM role or user ARN without wildcards, e.g. arn:aws:iam::123456789012:role/release-bot" },
  gcp: {
    re: GCP,
    hint: "must be one IAM principal identifier (principal://…), e.g. principal://iam.googleapis.com/projects/-/serviceAccounts/bot@p.iam.gserviceaccount.com",
  },
  oci: { re: OCI, hint: "must be one user or instance OCID, e.g. ocid1.user.oc1..aaaa…" },
};

/** Why `id` cannot be exempted on `cloud` (a message for the `principal.*` field), or null when it can. */
export function exemptPrincipalProblem(cloud: CloudId, id: string): { field: "principal.cloud" | "principal.id"; message: string } | null {
  if (cloud === "azure")
    return {
      field: "principal.cloud",
      message:
        "Azure Policy cannot condition on the caller, so Parapet cannot spare one principal there: exempt the environment (nodeId) instead",
    };
  const rule = RULES[cloud];
  return rule.re.test(id) ? null : { field: "principal.id", message: `${rule.hint}; got "${id.slice(0, 80)}"` };
}

/**
 * The exemptable identifier of a principal as an impact replay or a denial names it (AuditEvent's
 * principal id), or null when one cannot be derived. AWS and OCI name principals as their policies do;
 * GCP audit logs say `serviceAccount:…` / `user:…`, which deny policies spell as IAM v2 identifiers
 * (cloud.google.com/iam/docs/principal-identifiers). Azure: never (see above).
 */
export function exemptableAuditPrincipal(cloud: CloudId, principal: string): string | null {
  let id: string | null = principal;
  if (cloud === "azure") return null;
  if (cloud === "gcp") {
    const [kind, email] = [principal.slice(0, principal.indexOf(":")), principal.slice(principal.indexOf(":") + 1)];
    id =
      kind === "serviceAccount"
        ? `principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`
        : kind === "user"
          ? `principal://goog/subject/${email}`
          : principal.startsWith("principal://")
            ? principal
            : null;
  }
  return id !== null && exemptPrincipalProblem(cloud, id) === null ? id : null;
}
