/**
 * Compile + pack time of the control catalog. Prints medians; asserts nothing.
 *   pnpm exec tsx bench/catalog.bench.ts
 * Goals: whole catalog on 4 clouds < 50 ms; 200 guardrails on a 2,000-OU AWS org < 1 s.
 */
import { packAwsPolicies, type TAwsPackTarget } from "@parapet/providers/aws/packing";
import {
  buildAzureInitiative,
  buildGcpNodeArtifacts,
  buildOciPolicies,
  CLOUDS,
  compileControl,
  listControls,
  type TAwsFragment,
  type TAzureFragment,
  type TGcpFragment,
  type TOciFragment,
} from "@parapet/core/catalog/index";
import { SCENARIO_FACTS, SCENARIO_PRINCIPALS } from "@parapet/core/catalog/fixtures";

const RUNS = 9;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function wholeCatalog(): void {
  const byCloud: Record<string, unknown[]> = { aws: [], azure: [], gcp: [], oci: [] };
  for (const control of listControls()) {
    for (const cloud of CLOUDS) {
      byCloud[cloud]!.push(
        compileControl(control, {
          cloud,
          mode: "enforce",
          workspaceId: "ws_bench",
          guardrail: { id: `gr-${control.id}`, version: 1 },
          params: {},
          principals: SCENARIO_PRINCIPALS[cloud],
          facts: SCENARIO_FACTS[cloud],
        }).fragment,
      );
    }
  }
  const aws = byCloud.aws as TAwsFragment[];
  const r = packAwsPolicies({ workspaceId: "ws_bench", targets: [{ targetId: "r-root", statements: aws.flatMap((f) => f.statements) }] });
  if (r.issues.length > 0) throw new Error(r.issues.map((i) => i.message).join("\n"));
  buildAzureInitiative("providers/Microsoft.Management/managementGroups/root", byCloud.azure as TAzureFragment[], {
    workspaceId: "ws_bench",
    definitionScope: "providers/Microsoft.Management/managementGroups/root",
  });
  buildGcpNodeArtifacts("organizations/123456789012", byCloud.gcp as TGcpFragment[], "ws_bench");
  buildOciPolicies(SCENARIO_FACTS.oci.tenancyOcid, "tenancy", byCloud.oci as TOciFragment[], "ws_bench");
}

/**
 * 200 guardrails (the AWS-compilable controls cycled with varied params) over a synthetic org of
 * 2,000 OUs (root → 20 top OUs → 99 children each). Each guardrail targets a deterministic slice
 * of OUs, so targets carry different statement sets and shared sets are packed once.
 */
function bigOrg(): { policies: number; attachments: number } {
  const ous: string[] = [];
  for (let i = 0; i < 20; i++) {
    ous.push(`ou-top-${i}`);
    for (let j = 0; j < 99; j++) ous.push(`ou-${i}-${j}`);
  }
  const controls = listControls().filter((c) => c.clouds.aws.fidelity !== "unsupported");
  const perTarget = new Map<string, TAwsPackTarget["statements"][number][]>();
  for (let g = 0; g < 200; g++) {
    const control = controls[g % controls.length]!;
    const params = control.id === "restrict-regions" ? { aws: ["eu-west-1", ["us-east-1", "us-west-2", "ap-south-1"][g % 3]!] } : {};
    const f = compileControl(control, {
      cloud: "aws",
      mode: "enforce",
      workspaceId: "ws_bench",
      guardrail: { id: `gr-${g}`, version: 1 },
      params,
      principals: {},
      facts: SCENARIO_FACTS.aws,
    }).fragment;
    // Each guardrail attaches to one top-level OU (its subtree inherits) or to a few leaves.
    const targets = g % 4 === 0 ? [`ou-top-${g % 20}`] : [`ou-${g % 20}-${g % 99}`, `ou-${(g + 7) % 20}-${(g * 3) % 99}`];
    for (const t of targets) perTarget.set(t, [...(perTarget.get(t) ?? []), ...f.statements]);
  }
  const targets: TAwsPackTarget[] = ous.map((id) => ({ targetId: id, statements: perTarget.get(id) ?? [] }));
  const r = packAwsPolicies({ workspaceId: "ws_bench", targets });
  if (r.issues.length > 0)
    throw new Error(
      r.issues
        .slice(0, 3)
        .map((i) => i.message)
        .join("\n"),
    );
  return { policies: r.policies.length, attachments: r.attachments.length };
}

wholeCatalog(); // warm-up (module init, JIT)
const catalog = Array.from({ length: RUNS }, () => time(wholeCatalog));
let shape = { policies: 0, attachments: 0 };
bigOrg();
const org = Array.from({ length: RUNS }, () => time(() => (shape = bigOrg())));

console.log(
  `whole catalog (${listControls().length} controls × 4 clouds, compile + pack/build): median ${median(catalog).toFixed(2)} ms over ${RUNS} runs (goal < 50 ms)`,
);
console.log(
  `200 guardrails on a 2,000-OU AWS org (compile + pack): median ${median(org).toFixed(2)} ms over ${RUNS} runs (goal < 1000 ms); ${shape.policies} distinct SCPs/RCPs, ${shape.attachments} attachments`,
);
