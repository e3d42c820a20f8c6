import { describe, expect, it } from "vitest";
import { AppError } from "../common/errors.ts";
import { matchLabels, parseLabelExpression } from "./label-expression.ts";

const m = (expr: string, labels: Record<string, string>) => matchLabels(parseLabelExpression(expr), labels);

describe("label expressions", () => {
  it("matches equality, inequality, presence and lists", () => {
    expect(m("env=prod", { env: "prod" })).toBe(true);
    expect(m("env=prod", { env: "dev" })).toBe(false);
    expect(m("env != sandbox", { env: "prod" })).toBe(true);
    expect(m("env != sandbox", {})).toBe(true);
    expect(m("agent", { agent: "true" })).toBe(true);
    expect(m("agent", {})).toBe(false);
    expect(m("env in (prod, staging)", { env: "staging" })).toBe(true);
    expect(m("env not in (prod, staging)", { env: "dev" })).toBe(true);
    expect(m("env not in (prod, staging)", { env: "prod" })).toBe(false);
  });
  it("honours precedence: not > and > or, and parentheses", () => {
    expect(m("env=prod or env=dev and data=regulated", { env: "prod" })).toBe(true);
    expect(m("(env=prod or env=dev) and data=regulated", { env: "prod" })).toBe(false);
    expect(m("not env=prod and data=regulated", { env: "dev", data: "regulated" })).toBe(true);
    expect(m("NOT (env=prod OR env=dev)", { env: "qa" })).toBe(true);
  });
  it("accepts quoted values with spaces and tag-like keys", () => {
    expect(m('team = "data platform"', { team: "data platform" })).toBe(true);
    expect(m("cost-center/owner:id=a@b.c", { "cost-center/owner:id": "a@b.c" })).toBe(true);
  });
  it.each([
    ["", /empty/],
    ["env=", /expected a value at the end/],
    ["env = prod and", /ends where a label was expected/],
    ["(env=prod", /expected "\)"/],
    ["env=prod)", /unexpected "\)" at position 9/],
    ["env in prod", /expected "\(" after "in"/],
    ["env = 'prod'", /unexpected character "'" at position 7/],
    ['env="prod', /unterminated string/],
    ["and=1", /keyword "and"/],
    ["x".repeat(1001), /longer than 1000/],
    ["(".repeat(40) + "a" + ")".repeat(40), /nests too deeply/],
  ])("rejects %j with a message naming the field", (src, re) => {
    let err: unknown;
    try {
      parseLabelExpression(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/^scope\.labels: /);
    expect((err as AppError).message).toMatch(re);
  });
});
