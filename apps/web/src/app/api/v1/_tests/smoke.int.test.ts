/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
import { afterAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { call } from "./harness.ts";
import { createWorld } from "./world.ts";

describe("smoke", () => {
  afterAll(async () => {
    await getPrisma().$disconnect();
  });
  it("builds a world and reads it back", async () => {
    const w = await createWorld(getPrisma());
    const me = await call("GET", "/me", { key: w.members.viewer.key });
    expect(me.status, me.text).toBe(200);
    expect(me.body.role).toBe("viewer");
    const gs = await call("GET", "/guardrails", { key: w.members.viewer.key });
    expect(gs.body.items[0].pendingApproval).toBe(w.approvalId);
  });
});
