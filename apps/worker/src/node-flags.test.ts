import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WORKER_NODE_FLAGS } from "./node-flags.ts";

describe("worker node flags", () => {
  it("the start script runs the worker with the same V8 flags as the stack and the benchmarks", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as { scripts: { start: string } };
    expect(pkg.scripts.start).toBe(`node ${WORKER_NODE_FLAGS.join(" ")} --import tsx src/main.ts`);
  });
});
