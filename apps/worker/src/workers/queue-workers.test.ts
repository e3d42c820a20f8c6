import { describe, expect, it } from "vitest";
import { ALL_QUEUES } from "@parapet/core";
import { QUEUE_WORKERS } from "./queue-workers.ts";

describe("queue workers", () => {
  it("has one worker per queue and none for a queue that does not exist", () => {
    expect(Object.keys(QUEUE_WORKERS).sort()).toEqual([...ALL_QUEUES].sort());
  });
});
