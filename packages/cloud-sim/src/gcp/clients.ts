/**
 * How the real Google SDKs are pointed at the simulator (used by tests and benchmarks; providers wire
 * the same options themselves). Org Policy 3.0.1 runs on google-gax 4, which calls
 * `authClient.getRequestHeaders()` (google-auth-library 9 objects work); Resource Manager 6.3.0 and IAM
 * 2.3.1 run on google-gax 5, which calls `auth.fetch()`, so they need google-auth-library 10 clients —
 * or, for all three, a service-account key passed as `credentials`, from which the SDK signs its own
 * self-signed JWT that the simulator verifies.
 */
import { createRequire } from "node:module";
import { v2 as iamV2 } from "@google-cloud/iam";
import { v2 as orgPolicyV2 } from "@google-cloud/org-policy";
import { FoldersClient, OrganizationsClient, ProjectsClient } from "@google-cloud/resource-manager";
import { OAuth2Client } from "google-auth-library";

export type GcpAuth = { token: string } | { credentials: { client_email: string; private_key: string } };

interface GaxFiveAuthLibrary {
  OAuth2Client: new () => { setCredentials(c: { access_token: string; expiry_date: number }): void };
}

/** google-auth-library 10, the copy google-gax 5 (Resource Manager, IAM) resolves. */
function gax5AuthLibrary(): GaxFiveAuthLibrary {
  const req = createRequire(import.meta.url);
  const gax = createRequire(req.resolve("@google-cloud/iam"))("google-gax") as { googleAuthLibrary: GaxFiveAuthLibrary };
  return gax.googleAuthLibrary;
}

function base(port: number): { fallback: true; apiEndpoint: string; port: number; protocol: string } {
  return { fallback: true, apiEndpoint: "127.0.0.1", port, protocol: "http" };
}

export function orgPolicyClient(port: number, auth: GcpAuth): orgPolicyV2.OrgPolicyClient {
  if ("credentials" in auth) return new orgPolicyV2.OrgPolicyClient({ ...base(port), credentials: auth.credentials });
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: auth.token, expiry_date: Date.now() + 3_600_000 });
  return new orgPolicyV2.OrgPolicyClient({ ...base(port), authClient } as ConstructorParameters<typeof orgPolicyV2.OrgPolicyClient>[0]);
}

type Gax5Options = ConstructorParameters<typeof ProjectsClient>[0];

function gax5Options(port: number, auth: GcpAuth): Gax5Options {
  if ("credentials" in auth) return { ...base(port), credentials: auth.credentials };
  const authClient = new (gax5AuthLibrary().OAuth2Client)();
  authClient.setCredentials({ access_token: auth.token, expiry_date: Date.now() + 3_600_000 });
  // google-gax 5 accepts any object with getRequestHeaders/fetch as authClient.
  return { ...base(port), authClient } as unknown as Gax5Options;
}

export function projectsClient(port: number, auth: GcpAuth): ProjectsClient {
  return new ProjectsClient(gax5Options(port, auth));
}

export function foldersClient(port: number, auth: GcpAuth): FoldersClient {
  return new FoldersClient(gax5Options(port, auth));
}

export function organizationsClient(port: number, auth: GcpAuth): OrganizationsClient {
  return new OrganizationsClient(gax5Options(port, auth));
}

export function denyPoliciesClient(port: number, auth: GcpAuth): iamV2.PoliciesClient {
  return new iamV2.PoliciesClient(gax5Options(port, auth));
}

/** `policies/{urlencoded attachment point}/denypolicies` for a container like `organizations/123`. */
export function denyParent(container: string): string {
  return `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/${container}`)}/denypolicies`;
}
