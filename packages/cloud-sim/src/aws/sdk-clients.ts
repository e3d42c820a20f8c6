import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { AWS_SIM_DEFAULT_CREDENTIALS } from "./simulator.ts";

/**
 * Real SDK clients wired to a simulator: only `endpoint`, `region` and `credentials` differ from what a
 * provider would use against AWS. Shared by the integration tests and by anyone poking at a running sim.
 */
export interface AwsTestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function organizationsClient(
  url: string,
  credentials: AwsTestCredentials = AWS_SIM_DEFAULT_CREDENTIALS,
  extra: { maxAttempts?: number } = {},
): OrganizationsClient {
  return new OrganizationsClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: extra.maxAttempts });
}

export function stsClient(url: string, credentials: AwsTestCredentials = AWS_SIM_DEFAULT_CREDENTIALS): STSClient {
  return new STSClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
}

/** Awaits a promise expected to reject and returns the SDK error (or fails with what resolved). */
export async function rejection(
  p: Promise<unknown>,
): Promise<Error & { Reason?: string; $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    const v = await p;
    throw new Error(`expected an AWS error, got ${JSON.stringify(v).slice(0, 300)}`);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("expected an AWS error")) throw e;
    return e as Error & { Reason?: string };
  }
}
