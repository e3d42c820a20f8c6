/**
 * The read-heavy request mix of bench/sim.bench.ts, as a load generator in its own process (so the
 * simulator's process serves and nothing else). Input: one JSON argument {url, ous, accounts, policies,
 * total, concurrency}; output: one JSON line {rps}.
 */
import { DescribePolicyCommand, ListAccountsForParentCommand, ListChildrenCommand, ListPoliciesForTargetCommand, ListTargetsForPolicyCommand, OrganizationsClient } from "@aws-sdk/client-organizations";

interface Input {
  url: string;
  ous: string[];
  accounts: string[];
  policies: string[];
  total: number;
  concurrency: number;
}

const input = JSON.parse(process.argv[2] ?? "{}") as Input;
const client = new OrganizationsClient({
  region: "us-east-1",
  endpoint: input.url,
  credentials: { accessKeyId: "AKIAPARAPETSIM000001", secretAccessKey: "parapet/sim/default/secret/key/000000001" },
  maxAttempts: 1,
});
const { ous, accounts, policies } = input;
const ops = [
  (i: number) => client.send(new ListChildrenCommand({ ParentId: ous[i % ous.length]!, ChildType: "ACCOUNT", MaxResults: 20 })),
  (i: number) => client.send(new ListAccountsForParentCommand({ ParentId: ous[i % ous.length]!, MaxResults: 20 })),
  (i: number) => client.send(new ListPoliciesForTargetCommand({ TargetId: accounts[i % accounts.length]!, Filter: "SERVICE_CONTROL_POLICY" })),
  (i: number) => client.send(new DescribePolicyCommand({ PolicyId: policies[i % policies.length]! })),
  (i: number) => client.send(new ListTargetsForPolicyCommand({ PolicyId: policies[i % policies.length]!, MaxResults: 20 })),
];
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: input.concurrency }, async () => {
    while (next < input.total) {
      const i = next++;
      await ops[i % ops.length]!(i);
    }
  }),
);
const rps = input.total / ((performance.now() - t0) / 1000);
client.destroy();
process.stdout.write(JSON.stringify({ rps }) + "\n");
