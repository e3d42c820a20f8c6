/**
 * The bad-input campaign, reduced for CI (the full one, over HTTP to a running server and the CLI, is
 * bench/bad-input.bench.ts): several hundred requests generated from the route table's schemas plus
 * hand-written nasty ones, sent to the real handlers in-process. No 5xx, no stack trace or secret in
 * any answer, every 4xx a JSON error, every 400/422 naming the field that was wrong, and the data of
 * both workspaces byte-identical afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import {
  buildCampaign,
  describeCase,
  diffFingerprints,
  fingerprint,
  judge,
  summarize,
  type Answer,
  type BadCase,
  type SqlQuery,
  type Verdict,
} from "./bad-input.ts";
import { BASE_URL, handlerFor, MASTER_KEY } from "./harness.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let A: World;
let B: World;
beforeAll(async () => {
  A = await createWorld(prisma, "Alpha");
  B = await createWorld(prisma, "Bravo");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

async function send(c: BadCase): Promise<Answer> {
  const path = c.template.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(c.params[k] ?? "missing"));
  const url = new URL(`${BASE_URL}/api/v1${path}`);
  for (const [k, v] of c.query) url.searchParams.append(k, v);
  const handler = await handlerFor(c.method, c.template);
  const res = await handler(
    new Request(url, { method: c.method, headers: c.headers, ...(c.body ? { body: new Uint8Array(c.body) } : {}) }),
    { params: Promise.resolve(c.params) },
  );
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const sql: SqlQuery = (q, params = []) => prisma.$queryRawUnsafe(q, ...params);

describe("bad-input campaign (reduced)", () => {
  it("answers every bad request with a clear 4xx naming the field, and changes nothing", async () => {
    const { cases, excluded } = buildCampaign({ A, B }, { http: false, full: false });
    const secrets = [MASTER_KEY, process.env.PARAPET_AUTH_SECRET!, process.env.DATABASE_URL!, A.members.owner.key, B.members.owner.key];
    const before = await fingerprint(sql, [A.id, B.id]);
    const verdicts: Verdict[] = [];
    const ms: Record<string, number> = {};
    for (const c of cases) {
      const t0 = performance.now();
      verdicts.push(judge(c, await send(c), secrets));
      ms[c.category] = (ms[c.category] ?? 0) + performance.now() - t0;
    }
    if (process.env.BAD_INPUT_VERBOSE) console.log("ms by category", JSON.stringify(ms));
    const after = await fingerprint(sql, [A.id, B.id]);
    const s = summarize(verdicts);
    const list = (vs: Verdict[], extra: (v: Verdict) => string = () => "") => vs.slice(0, 20).map((v) => `${describeCase(v)} ${extra(v)}`);

    const t = (vs: Verdict[]) =>
      vs
        .map((v) => `  ${describeCase(v)} ${v.leak ?? ""} ${v.namesField === false ? `(field ${v.c.field}) ${v.text.slice(0, 160)}` : ""}`)
        .join("\n");
    if (process.env.BAD_INPUT_VERBOSE)
      console.log(
        `5xx:\n${t(s.fiveXX)}\nleaks:\n${t(s.leaks)}\nunclear:\n${t(s.unclear)}\nnot named:\n${t(s.notNamed)}\naccepted writes:\n${t(s.acceptedWrites)}\nunexpected:\n${t(s.unexpected)}\nby category ${JSON.stringify(s.byCategory)}`,
      );
    expect(s.requests).toBeGreaterThan(300);
    expect(list(s.fiveXX, (v) => v.text)).toEqual([]);
    expect(list(s.leaks, (v) => v.leak ?? "")).toEqual([]);
    expect(list(s.unclear, (v) => v.text)).toEqual([]);
    expect(list(s.notNamed, (v) => `(field ${v.c.field ?? "any"}): ${v.text}`)).toEqual([]);
    expect(list(s.acceptedWrites)).toEqual([]);
    expect(list(s.unexpected, (v) => v.text)).toEqual([]);
    expect(diffFingerprints(before, after)).toEqual([]);
    console.log(
      `bad-input (reduced): ${s.requests} requests, ${JSON.stringify(s.byClass)}, ${s.fieldNamed}/${s.fieldAnswers} 400/422 name the field, ${excluded.length} valid-by-accident variations not sent`,
    );
  }, 300_000);
});
