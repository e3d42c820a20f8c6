import { randomBytes } from "node:crypto";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { sealCredentials } from "@parapet/core";
import { processReconcile } from "../workers/reconcile.worker.ts";
import { workerDeps, type FaultEnv } from "./harness.ts";

export interface OciFixture {
  sim: OciSim;
  connectionId: string;
  /** The first reconcile's applied changes (the guardrail deployed). */
  applied: number;
  close(): Promise<void>;
}

/**
 * The OCI demo tenancy connected the way the product stores a connection, with one enforced guardrail
 * already deployed: the starting point of the clock-skew scenario (reduced suite, full form and soak).
 */
export async function ociFixture(env: FaultEnv): Promise<OciFixture> {
  const sim = await startOciSim({ throttle: false });
  try {
    const demo = sim.seedDemo();
    const id = randomBytes(4).toString("hex");
    const ws = await env.prisma.workspace.create({
      data: { id: `ws_skew_${id}`, name: "Skew", slug: `ws-skew-${id}`, createdAt: new Date() },
    });
    const conn = await env.prisma.connection.create({
      data: {
        workspaceId: ws.id,
        cloud: "oci",
        name: "OCI",
        status: "active",
        endpoint: sim.url,
        facts: { tenancyOcid: demo.credentials.tenancyId },
      },
    });
    const { tenancyId, userId, fingerprint, privateKeyPem, region } = demo.credentials;
    await env.prisma.connection.update({
      where: { id: conn.id },
      data: { credentialCiphertext: sealCredentials(env.keys, conn.id, { tenancyId, userId, fingerprint, privateKeyPem, region }) },
    });
    await env.prisma.guardrail.create({
      data: {
        workspaceId: ws.id,
        controlId: "agent-no-destructive-actions",
        name: "agents",
        versions: { create: { version: 1, params: {}, scope: { labels: "env=prod" }, mode: "enforce", remediation: "auto" } },
      },
    });
    const deps = workerDeps(env);
    const [first] = await processReconcile(deps, { connectionId: conn.id, trigger: "manual" });
    await deps.reconcileQueue.close();
    return { sim, connectionId: conn.id, applied: first?.applied ?? 0, close: () => sim.close() };
  } catch (e) {
    await sim.close();
    throw e;
  }
}
