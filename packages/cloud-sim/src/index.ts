/**
 * The four cloud simulators. Each speaks its cloud's wire protocol to the real SDK on loopback; this
 * module starts them together (the demo, the e2e stack, benchmarks and the CLI use it).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { startAwsSim, seedAwsDemo, seedAwsOrg, type AwsSim, type AwsDemoResult } from "./aws/index.ts";
import { startAzureSim, type AzureSim } from "./azure/index.ts";
import { startGcpSim, seedGcpDemo, seedGcpOrg, type GcpSim } from "./gcp/index.ts";
import { startOciSim, type OciSim } from "./oci/index.ts";
import type { SimOptions } from "./common/types.ts";

export { startAwsSim, startAzureSim, startGcpSim, startOciSim, seedAwsDemo, seedAwsOrg, seedGcpDemo, seedGcpOrg };
export type { AwsSim, GcpSim, OciSim };

export interface AllSims {
  aws: AwsSim;
  azure: AzureSim;
  gcp: GcpSim;
  oci: OciSim;
  /** True per cloud when the demo organisation was seeded now (false: loaded from its state file). */
  seeded: Record<"aws" | "azure" | "gcp" | "oci", boolean>;
  awsDemo?: AwsDemoResult;
  close(): Promise<void>;
}

export interface StartAllOptions {
  /** Keep each simulator's state in <dir>/<cloud>.json across restarts. */
  persistDir?: string;
  ports?: Partial<Record<"aws" | "azure" | "gcp" | "oci", number>>;
  /** Seed each cloud with its realistic demo organisation when it has no saved state. */
  demo?: boolean;
  /** AWS-like throttling defaults stay on unless disabled (tests and benchmarks may turn them off). */
  throttle?: false;
}

export async function startAllSims(opts: StartAllOptions = {}): Promise<AllSims> {
  if (opts.persistDir) mkdirSync(opts.persistDir, { recursive: true });
  const file = (cloud: string) => (opts.persistDir ? join(opts.persistDir, `${cloud}.json`) : undefined);
  const had = (cloud: string) => !!file(cloud) && existsSync(file(cloud)!);
  const base = (cloud: "aws" | "azure" | "gcp" | "oci"): SimOptions => ({
    host: "127.0.0.1",
    port: opts.ports?.[cloud] ?? 0,
    ...(file(cloud) ? { persistFile: file(cloud)! } : {}),
    ...(opts.throttle === false ? { throttle: false as const } : {}),
  });
  const seeded = { aws: false, azure: false, gcp: false, oci: false };
  const aws = await startAwsSim(base("aws"));
  let awsDemo: AwsDemoResult | undefined;
  if (opts.demo && !had("aws")) {
    awsDemo = seedAwsDemo(aws);
    seeded.aws = true;
  }
  const azure = await startAzureSim({ ...base("azure"), demo: !!opts.demo && !had("azure") });
  seeded.azure = !!opts.demo && !had("azure");
  const gcp = await startGcpSim(base("gcp"));
  if (opts.demo && !had("gcp")) {
    seedGcpDemo(gcp);
    seeded.gcp = true;
  }
  const oci = await startOciSim(base("oci"));
  if (opts.demo && !had("oci")) {
    oci.seedDemo();
    seeded.oci = true;
  }
  return {
    aws,
    azure,
    gcp,
    oci,
    seeded,
    ...(awsDemo ? { awsDemo } : {}),
    async close() {
      await Promise.allSettled([aws.close(), azure.close(), gcp.close(), oci.close()]);
    },
  };
}
