/**
 * What a replay needs before it reads a single event, shared by the stored replay (run-impact.ts) and
 * plan's preview of a proposed guardrail (preview-impact.ts): the guardrail compiled as enforce would
 * deploy it on the connection, which environments it would cover (scope minus exemptions), and how to
 * place an audit event relative to that; plus the paged reader.
 */
import type { AuditEvent, AuditPage, CloudAdapter } from "@parapet/providers/contract";
import type { TControl } from "../catalog/types.ts";
import { buildContext, compileControl } from "../catalog/compile.ts";
import { connectionCompileBasis, type TCompileBasisSource } from "../connections/compile-basis.ts";
import { buildTree, selectEnvironments, type GuardrailScope, type TreeNode } from "../scope/select.ts";
import type { TEventScope } from "./replay.ts";
import { auditNodeId, auditNodeIndex } from "./audit-nodes.ts";

/** Events per page asked of the reader: enough to amortise a call, small enough to bound memory. */
const PAGE_SIZE = 500;
/** Readers narrow by environment when the list is this short; a longer one reads everything and filters here. */
const NARROW_MAX = 200;

export async function* pagesOf(adapter: CloudAdapter, since: Date, until: Date, envs: readonly string[]): AsyncGenerator<AuditPage> {
  let pageToken: string | undefined;
  do {
    const page = await adapter.readAuditEvents!({
      since,
      until,
      pageSize: PAGE_SIZE,
      ...(envs.length > 0 && envs.length <= NARROW_MAX ? { nodeExternalIds: envs } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    yield page;
    pageToken = page.nextPageToken;
  } while (pageToken);
}

interface TNodeRow {
  id: string;
  externalId: string;
  parentId: string | null;
  name: string;
  isEnvironment: boolean;
  effectiveLabels: unknown;
}

export interface TTargetInput {
  conn: TCompileBasisSource & { cloud: "aws" | "azure" | "gcp" | "oci"; workspaceId: string };
  /** Decrypted (worker), so the connector identity the credentials name joins the connector class. */
  credentials: unknown;
  control: TControl;
  /** Artifact names carry the id and version; a proposal not saved yet has neither (preview ids). */
  guardrail: { id: string; version: number };
  params: unknown;
  scope: GuardrailScope;
  /** Exemptions in force on this connection: a node spares its subtree, a principal is excepted. */
  exemptions: readonly { nodeId: string | null; principal: string | null }[];
  /** The connection's active nodes. */
  nodes: readonly TNodeRow[];
}

export interface TTarget {
  fragment: ReturnType<typeof compileControl>["fragment"];
  ctx: ReturnType<typeof buildContext>;
  scopeOf: (e: AuditEvent) => TEventScope;
  environmentOf: (e: AuditEvent) => { name: string; id?: string };
  /** The environments covered (after exemptions), by external id: what the reader is narrowed to. */
  envExternalIds: string[];
}

export function prepareTarget(t: TTargetInput): TTarget | { error: string } {
  const basis = connectionCompileBasis(t.conn, t.credentials);
  const compileInput = {
    cloud: t.conn.cloud,
    // What enforce would deploy, whatever mode the guardrail is in now.
    mode: "enforce" as const,
    workspaceId: t.conn.workspaceId,
    guardrail: t.guardrail,
    params: t.params,
    principals: basis.principals,
    facts: basis.facts,
    exemptPrincipals: t.exemptions.flatMap((x) => (x.principal ? [x.principal] : [])),
  };
  let fragment;
  let ctx;
  try {
    fragment = compileControl(t.control, compileInput).fragment;
    ctx = buildContext(compileInput);
  } catch (e) {
    return { error: `the guardrail does not compile for this connection: ${(e as Error).message}` };
  }
  const { nodes } = t;
  const exempt = t.exemptions.flatMap((x) => (x.nodeId ? [x.nodeId] : []));
  const tree = buildTree(
    nodes.map((n): TreeNode => ({
      id: n.id,
      parentId: n.parentId,
      isEnvironment: n.isEnvironment,
      labels: n.effectiveLabels as Record<string, string>,
    })),
  );
  let selected: Set<string>;
  try {
    selected = selectEnvironments(tree, t.scope, exempt);
  } catch (e) {
    return { error: `the guardrail's scope cannot be resolved: ${(e as Error).message}` };
  }
  // Azure: the log names bare subscription ids, discovery records `subscriptions/<id>` (audit-nodes.ts).
  const nodeOf = auditNodeIndex(t.conn.cloud, nodes);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map<string, string[]>();
  for (const n of nodes) if (n.parentId) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n.id]);
  const envCovered = new Map<string, boolean>();
  /** A non-environment node is in scope when every environment under it is (its artifact would attach there or above). */
  const covered = (id: string): boolean => {
    const known = envCovered.get(id);
    if (known !== undefined) return known;
    const kids = children.get(id) ?? [];
    const v = byId.get(id)?.isEnvironment ? selected.has(id) : kids.length > 0 && kids.every(covered);
    envCovered.set(id, v);
    return v;
  };
  const scopeOf = (e: AuditEvent): TEventScope => {
    const n = nodeOf(e.nodeExternalId);
    if (!n) return "unknown";
    return covered(n.id) ? "in" : "out";
  };
  const environmentOf = (e: AuditEvent) => {
    const n = nodeOf(e.nodeExternalId);
    return n ? { name: n.name, id: n.id } : { name: e.nodeExternalId ?? "unknown" };
  };
  const envExternalIds = nodes.filter((n) => n.isEnvironment && selected.has(n.id)).map((n) => auditNodeId(t.conn.cloud, n.externalId));
  return { fragment, ctx, scopeOf, environmentOf, envExternalIds };
}
