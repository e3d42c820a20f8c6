import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { createLogger } from "@parapet/core/common/logger";
import { humanLine } from "./log-lines.ts";

/** The line the apps' real logger writes for `write(logger)`. */
function lineOf(write: (l: ReturnType<typeof createLogger>) => void): string {
  let out = "";
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  write(createLogger({ destination: stream, service: "worker" }));
  return out.trim();
}

describe("humanLine", () => {
  it("shows a JSON log line as time, level, message and fields", () => {
    const line = lineOf((l) => l.child({ jobId: "j1", queue: "reconcile" }).info({ durationMs: 12, note: "two words" }, "job finished"));
    expect(humanLine(line)).toMatch(/^\d\d:\d\d:\d\d info {2}job finished jobId=j1 queue=reconcile durationMs=12 note="two words"$/);
  });

  it("puts an error's stack on the lines after it", () => {
    const line = lineOf((l) => l.error({ err: new Error("boom") }, "unhandled API error"));
    const [head, ...stack] = humanLine(line).split("\n");
    expect(head).toMatch(/error unhandled API error$/);
    expect(stack[0]).toBe("Error: boom");
  });

  it("leaves other lines as they are", () => {
    expect(humanLine("▲ Next.js 16 ready")).toBe("▲ Next.js 16 ready");
    expect(humanLine("{not json")).toBe("{not json");
    expect(humanLine('{"a":1}')).toBe('{"a":1}');
  });
});
