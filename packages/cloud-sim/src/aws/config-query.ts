/**
 * AWS Config advanced queries over an organization aggregator (`SelectAggregateResourceConfig`,
 * JSON 1.1 target `StarlingDoveService.SelectAggregateResourceConfig`): the one read that tells the
 * management account what tags IAM roles and users in member accounts carry.
 *
 * Wire format (AWS Config API Reference, SelectAggregateResourceConfig): request
 * `{ConfigurationAggregatorName, Expression, Limit?, MaxResults?, NextToken?}`; answer
 * `{Results: [<JSON string per resource>], QueryInfo: {SelectFields: [{Name}]}, NextToken?}`. The
 * aggregator name is 1-256 of `[\w\-]+`, the expression 1-4096 characters, Limit at most 100; a
 * non-aggregation query pages 25 results by default. Errors: `NoSuchConfigurationAggregatorException`,
 * `InvalidExpressionException`, `InvalidLimitException`, `InvalidNextTokenException`, `ValidationException`.
 *
 * The query language is a subset of SQL SELECT (Config Developer Guide, "Query Components": `=`, `IN`,
 * `BETWEEN`, AND/OR/NOT). The simulator understands what Parapet sends — a SELECT of top-level
 * configuration-item properties WHERE `resourceType = '…'` AND an `=` or `IN` test of `arn`,
 * `resourceId`, `resourceName` or `accountId` — and refuses anything else as InvalidExpressionException
 * rather than guessing at it: a query the simulator accepted but AWS refused would hide a production failure.
 */
import { AwsError } from "./errors.ts";

/** One recorded configuration item, as the aggregator holds it. */
export interface ConfigItem {
  resourceType: string;
  arn: string;
  resourceId: string;
  resourceName: string;
  accountId: string;
  awsRegion: string;
  tags: Array<{ key: string; value: string }>;
}

const SELECTABLE = new Set(["arn", "resourceId", "resourceName", "resourceType", "accountId", "awsRegion", "tags"]);
const FILTERABLE = new Set(["arn", "resourceId", "resourceName", "accountId"]);
const DEFAULT_PAGE = 25;
const MAX_LIMIT = 100;

const invalidExpression = (why: string) => new AwsError("InvalidExpressionException", `Invalid query expression: ${why}`);

/** `'a'`, `'b'`: single-quoted literals ('' escapes a quote), comma-separated. */
function parseList(text: string): string[] {
  const out: string[] = [];
  const re = /\s*'((?:[^']|'')*)'\s*(,|$)/y;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.length && ((re.lastIndex = at), (m = re.exec(text)))) {
    out.push(m[1]!.replace(/''/g, "'"));
    at = re.lastIndex;
    if (m[2] === "") break;
  }
  if (at < text.trimEnd().length || out.length === 0) throw invalidExpression(`cannot read the value list (${text.slice(0, 60)})`);
  return out;
}

interface ParsedQuery {
  fields: string[];
  resourceType: string;
  filter?: { field: string; values: Set<string> };
}

function parseSelect(expression: string): ParsedQuery {
  const m = /^\s*SELECT\s+(.+?)\s+WHERE\s+(.+?)\s*$/is.exec(expression);
  if (!m) throw invalidExpression("expected SELECT <properties> WHERE <condition>");
  const fields = m[1]!.split(",").map((f) => f.trim());
  for (const f of fields) if (!SELECTABLE.has(f)) throw invalidExpression(`unsupported property ${f.slice(0, 60)}`);
  const parts = m[2]!.split(/\s+AND\s+/i);
  let resourceType: string | undefined;
  let filter: ParsedQuery["filter"];
  for (const part of parts) {
    const eq = /^(\w+)\s*=\s*'((?:[^']|'')*)'$/.exec(part.trim());
    const inList = /^(\w+)\s+IN\s*\((.*)\)$/is.exec(part.trim());
    const [field, values] = eq ? [eq[1]!, [eq[2]!.replace(/''/g, "'")]] : inList ? [inList[1]!, parseList(inList[2]!)] : [undefined, []];
    if (!field) throw invalidExpression(`cannot read the condition ${part.trim().slice(0, 60)}`);
    if (field === "resourceType" && eq) resourceType = values[0];
    else if (FILTERABLE.has(field) && !filter) filter = { field, values: new Set(values) };
    else throw invalidExpression(`unsupported condition on ${field}`);
  }
  if (!resourceType) throw invalidExpression("the simulator needs a resourceType = '…' condition");
  return { fields, resourceType, ...(filter ? { filter } : {}) };
}

export class ConfigAggregators {
  /** Aggregator name → the account it lives in (aggregators are per account and Region). */
  private readonly aggregators = new Map<string, string>();
  private readonly items: ConfigItem[] = [];

  addAggregator(name: string, accountId: string): void {
    this.aggregators.set(name, accountId);
  }

  /** Records (or replaces, by ARN) configuration items, as the aggregator collects them from member accounts. */
  putItems(items: ConfigItem[]): void {
    for (const it of items) {
      const i = this.items.findIndex((x) => x.arn === it.arn);
      if (i >= 0) this.items[i] = it;
      else this.items.push(it);
    }
  }

  select(input: Record<string, unknown>, callerAccount: string): { Results: string[]; QueryInfo: object; NextToken?: string } {
    const name = input.ConfigurationAggregatorName;
    if (typeof name !== "string" || !/^[\w-]{1,256}$/.test(name))
      throw new AwsError(
        "ValidationException",
        "1 validation error detected: Value at 'configurationAggregatorName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\-]+",
      );
    const expression = input.Expression;
    if (typeof expression !== "string" || expression.length < 1 || expression.length > 4096)
      throw new AwsError(
        "ValidationException",
        "1 validation error detected: Value at 'expression' failed to satisfy constraint: Member must have length less than or equal to 4096",
      );
    if (this.aggregators.get(name) !== callerAccount)
      throw new AwsError(
        "NoSuchConfigurationAggregatorException",
        `The configuration aggregator does not exist. Check the configuration aggregator name and try again.`,
      );
    const limit = input.Limit ?? input.MaxResults;
    if (limit !== undefined && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT))
      throw new AwsError("InvalidLimitException", `The limit must be between 0 and ${MAX_LIMIT}.`);
    const q = parseSelect(expression);
    const matched = this.items.filter(
      (it) =>
        it.resourceType === q.resourceType &&
        (!q.filter || q.filter.values.has(it[q.filter.field as "arn" | "resourceId" | "resourceName" | "accountId"])),
    );
    let start = 0;
    if (input.NextToken !== undefined) {
      const t = typeof input.NextToken === "string" ? /^q(\d+)$/.exec(input.NextToken) : null;
      if (!t || Number(t[1]) > matched.length) throw new AwsError("InvalidNextTokenException", "The nextToken provided is invalid.");
      start = Number(t[1]);
    }
    const size = !limit ? DEFAULT_PAGE : limit;
    const page = matched.slice(start, start + size);
    const results = page.map((it) => JSON.stringify(Object.fromEntries(q.fields.map((f) => [f, it[f as keyof ConfigItem]]))));
    return {
      Results: results,
      QueryInfo: { SelectFields: q.fields.map((f) => ({ Name: f })) },
      ...(start + size < matched.length ? { NextToken: `q${start + size}` } : {}),
    };
  }
}
