/** The console's compiled preview compiles a connection's guardrails on the basis reconcile deploys with. */
import { describe, expect, it } from "vitest";
import { getControl } from "../catalog/catalog.ts";
import { compileControl } from "../catalog/compile.ts";
import { SCENARIO_GUARDRAIL } from "../catalog/fixtures.ts";
import { connectionCompileBasis } from "../connections/compile-basis.ts";
import { createTestUser, createTestWorkspace, testPrisma, uid } from "../testing/db.ts";
import type { Actor } from "../common/actor.ts";
import { previewCompile } from "./preview-compile.ts";

const prisma = testPrisma();
const TENANCY = "ocid1.tenancy.oc1..aaaaaaaapreviewtenancy";
const USER = "ocid1.user.oc1..aaaaaaaapreviewconnector";

describe("previewCompile", () => {
  it("an OCI connection whose classes name no OCID: the preview excepts the API-key user, exactly as reconcile compiles it", async () => {
    const ws = await createTestWorkspace(prisma);
    const user = await createTestUser(prisma, ws.id);
    // As onboarding stores it: default principal classes (names only), the user OCID in the credential hints.
    const conn = await prisma.connection.create({
      data: {
        id: uid("c"),
        workspaceId: ws.id,
        cloud: "oci",
        name: uid("oci"),
        facts: { tenancyOcid: TENANCY },
        principals: {},
        credentialHints: { tenancyId: TENANCY, userId: USER },
      },
    });
    const actor: Actor = { workspaceId: ws.id, userId: user.id, role: "owner", kind: "user", label: "preview@test" };
    const preview = (await previewCompile({ prisma }, actor, "protect-guardrail-labels", {
      params: {},
      mode: "enforce",
      cloud: "oci",
    })) as {
      clouds: Record<string, { error?: string; source: string; artifacts: { policies: { statements: string[] }[] }[] }>;
    };
    const oci = preview.clouds.oci!;
    expect(oci.source).toBe("connection");
    expect(oci.error).toBeUndefined();
    const statements = oci.artifacts.flatMap((a) => a.policies.flatMap((p) => p.statements));
    expect(statements.some((s) => s.includes(`request.principal.id != '${USER}'`))).toBe(true);

    // Reconcile (worker) compiles with the decrypted credentials; the same function gives the same fragment.
    const control = getControl("protect-guardrail-labels")!;
    const compile = (principals: unknown) =>
      compileControl(control, {
        cloud: "oci",
        mode: "enforce",
        workspaceId: ws.id,
        guardrail: SCENARIO_GUARDRAIL,
        params: {},
        principals,
        facts: { tenancyOcid: TENANCY },
      }).fragment;
    const asReconcile = compile(
      connectionCompileBasis(conn, { tenancyId: TENANCY, userId: USER, fingerprint: "aa:bb", region: "eu-frankfurt-1" }).principals,
    );
    const asPreview = compile(connectionCompileBasis(conn).principals);
    expect(asPreview).toEqual(asReconcile);
  });
});
