/**
 * The simulator benchmark's read-heavy request mix (five Organizations reads, cycling through a few
 * hundred OUs, accounts and policies), shared by the in-process run (bench/sim.bench.ts) and the
 * separate load-generator process (bench/lib/sim-client.ts) so both measure the same thing.
 */
import {
  DescribePolicyCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListPoliciesForTargetCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";

export interface MixIds {
  ous: string[];
  accounts: string[];
  policies: string[];
}

/** An SDK client for the simulator's default demo key; SDK retries off so every request counts once. */
export function simClient(url: string): OrganizationsClient {
  return new OrganizationsClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "AKIAPARAPETSIM000001", secretAccessKey: "parapet/sim/default/secret/key/000000001" },
    maxAttempts: 1,
  });
}

export function readMix(client: OrganizationsClient, { ous, accounts, policies }: MixIds): Array<(i: number) => Promise<unknown>> {
  return [
    (i) => client.send(new ListChildrenCommand({ ParentId: ous[i % ous.length]!, ChildType: "ACCOUNT", MaxResults: 20 })),
    (i) => client.send(new ListAccountsForParentCommand({ ParentId: ous[i % ous.length]!, MaxResults: 20 })),
    (i) => client.send(new ListPoliciesForTargetCommand({ TargetId: accounts[i % accounts.length]!, Filter: "SERVICE_CONTROL_POLICY" })),
    (i) => client.send(new DescribePolicyCommand({ PolicyId: policies[i % policies.length]! })),
    (i) => client.send(new ListTargetsForPolicyCommand({ PolicyId: policies[i % policies.length]!, MaxResults: 20 })),
  ];
}

/** Sends `total` requests of the mix, `concurrency` at a time; returns requests per second. */
export async function runMix(ops: Array<(i: number) => Promise<unknown>>, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        await ops[i % ops.length]!(i);
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}
