import { describe, expect, it } from "vitest";
import { ociDenyGuardBootstrapChange } from "@parapet/providers/oci/permissions";
import type { Actor } from "../common/actor.ts";
import { bootstrapConnection } from "./bootstrap-connection.ts";

describe("OCI bootstrap", () => {
  it("asks for the exact change to the tenancy's deny-policy guard so the connector can write deny statements", async () => {
    // The OCI bootstrap needs no database (only AWS reads the workspace's external id).
    const b = await bootstrapConnection({ prisma: undefined as never }, { workspaceId: "ws_1" } as Actor, "oci", "");
    const guard = b.files.find((f) => f.name === "deny-policy-guard.txt");
    const { before, after } = ociDenyGuardBootstrapChange();
    expect(guard?.content).toContain(`Replace the statement\n\n  ${before}\n\nwith\n\n  ${after}\n`);
    expect(b.files.find((f) => f.name === "bootstrap.sh")?.content).toContain("deny-policy-guard.txt");
  });
});
