import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import type { PrismaClient } from "@parapet/db";
import { parseCloudEvent } from "@parapet/core";
import { noteHierarchyChange, recordEventReceipt } from "@parapet/core/events/receive-event";

/**
 * What the incremental-discovery tests of every cloud compare: a connection's node table as a full sweep
 * would write it, keyed by external ids (row ids and timestamps differ between two connections of one org).
 */
export async function nodeTreeSnapshot(prisma: PrismaClient, connectionId: string) {
  const rows = await prisma.node.findMany({ where: { connectionId } });
  const ext = new Map(rows.map((r) => [r.id, r.externalId]));
  const pathExt = (p: string) =>
    p
      .split("/")
      .filter(Boolean)
      .map((id) => ext.get(id))
      .join("/");
  return Object.fromEntries(
    rows
      .sort((a, b) => (a.externalId < b.externalId ? -1 : 1))
      .map((r) => [
        r.externalId,
        {
          parent: r.parentId ? ext.get(r.parentId) : null,
          name: r.name,
          kind: r.kind,
          state: r.state,
          isEnvironment: r.isEnvironment,
          cloudLabels: r.cloudLabels,
          effectiveLabels: r.effectiveLabels,
          path: pathExt(r.path),
          depth: r.depth,
        },
      ]),
  );
}

type NodeTree = Awaited<ReturnType<typeof nodeTreeSnapshot>>;

/**
 * The reference connection only saw the organization as it is now, so nodes deleted before it existed are
 * not in its table: ours must hold exactly its nodes as active ones, and every other node as removed.
 */
export function expectSameTree(got: NodeTree, want: NodeTree) {
  const active = Object.fromEntries(Object.entries(got).filter(([, n]) => n.state === "active"));
  expect(active).toEqual(want);
  for (const [ext, n] of Object.entries(got)) if (n.state !== "active") expect(want[ext], ext).toBeUndefined();
}

/**
 * One webhook body as the events route hands it to core (parse → receipt de-duplication → hierarchy_change
 * rows); returns the node external ids it named (none for a duplicate), for the call-count bounds.
 */
export async function deliverHierarchyEvent(
  prisma: PrismaClient,
  cloud: "aws" | "azure" | "gcp" | "oci",
  connectionId: string,
  event: unknown,
): Promise<string[]> {
  const parsed = parseCloudEvent(cloud, event);
  if ((await recordEventReceipt(prisma, connectionId, parsed.eventId)) === "duplicate") return [];
  await noteHierarchyChange(prisma, connectionId, parsed.eventId, parsed.hierarchy);
  return parsed.hierarchy.kind === "nodes" ? parsed.hierarchy.externalIds : [];
}

export interface EventHook {
  /** Where the simulator pushes its events (its `configure({ webhook: { url } })`). */
  url: string;
  /** Every body received, parsed, in arrival order (empty it with `received.length = 0`). */
  received: unknown[];
  close(): Promise<void>;
}

/** A webhook receiver on a free loopback port that keeps what the cloud simulator pushes to it. */
export async function startEventHook(): Promise<EventHook> {
  const received: unknown[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
