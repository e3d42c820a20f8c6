/**
 * The web process's shared Redis client is created once and asked for on every request: asking must
 * not add anything to it. Before, each call added an `error` listener (a leak per request, and Node's
 * MaxListenersExceededWarning in the demo after the tenth).
 */
import { afterAll, expect, it } from "vitest";
// Points the env at this run's database and Redis, as every web route test does.
import "../app/api/v1/_tests/harness.ts";
import { redis } from "./clients";

afterAll(() => redis().disconnect());

it("keeps one error listener on the shared client however often it is asked for", async () => {
  const client = redis();
  for (let i = 0; i < 50; i++) expect(redis()).toBe(client);
  expect(client.listenerCount("error")).toBe(1);
  expect(await client.ping()).toBe("PONG");
});
