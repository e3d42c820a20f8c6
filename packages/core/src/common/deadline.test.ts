import { describe, expect, it } from "vitest";
import { DeadlineExceeded, shutdownInOrder, withinDeadline } from "./deadline.ts";

const never = () => new Promise<never>(() => undefined);

describe("withinDeadline", () => {
  it("passes a settled value through", async () => {
    await expect(withinDeadline("x", 1000, Promise.resolve(7))).resolves.toBe(7);
  });
  it("rejects with the step's name when the work never settles", async () => {
    const e = await withinDeadline("closing queue workers", 20, never()).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DeadlineExceeded);
    expect((e as DeadlineExceeded).message).toBe("closing queue workers did not finish within 20 ms");
  });
  it("keeps the work's own rejection", async () => {
    await expect(withinDeadline("x", 1000, Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  });
});

describe("shutdownInOrder", () => {
  it("runs every step in order and notes the ones that failed", async () => {
    const seen: string[] = [];
    const out = await shutdownInOrder(
      [
        { name: "a", run: async () => void seen.push("a") },
        { name: "b", run: () => Promise.reject(new Error("quit failed")) },
        { name: "c", run: async () => void seen.push("c") },
      ],
      1000,
    );
    expect(seen).toEqual(["a", "c"]);
    expect(out.ok).toBe(true);
    expect(out.failed).toEqual([{ name: "b", error: "quit failed" }]);
  });
  it("stops at the step that overruns the deadline and names it; later steps do not run", async () => {
    const seen: string[] = [];
    const out = await shutdownInOrder(
      [
        { name: "closing queue workers", run: never },
        { name: "closing the database pool", run: async () => void seen.push("db") },
      ],
      30,
    );
    expect(out).toMatchObject({ ok: false, stuckIn: "closing queue workers" });
    expect(seen).toEqual([]);
  });
});
