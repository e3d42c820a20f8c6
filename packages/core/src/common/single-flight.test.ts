import { expect, it } from "vitest";
import { singleFlight } from "./single-flight.ts";

it("shares one computation between concurrent callers of a key and recomputes once it settled", async () => {
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const f = singleFlight(
    (k: string) => k,
    async (k: string) => {
      runs++;
      await gate;
      return `${k}#${runs}`;
    },
  );
  const a = f("ws1");
  const b = f("ws1");
  const c = f("ws2");
  release();
  expect(await Promise.all([a, b, c])).toEqual(["ws1#2", "ws1#2", "ws2#2"]);
  expect(runs).toBe(2);
  expect(await f("ws1")).toBe("ws1#3");
});

it("does not keep a failure: the next caller tries again", async () => {
  let runs = 0;
  const f = singleFlight(
    () => "k",
    async () => {
      runs++;
      if (runs === 1) throw new Error("database restarting");
      return "ok";
    },
  );
  await expect(f()).rejects.toThrow("database restarting");
  await expect(f()).resolves.toBe("ok");
});
