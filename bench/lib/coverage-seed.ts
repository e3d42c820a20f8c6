import type pg from "pg";

/**
 * The triggers on coverage_row that keep its summaries (coverage_count, coverage_subtree_count: migration
 * 20261207010000_coverage_aggregates; node_cells: 20261208140000_node_cells). The write benches switch
 * them all off and on to show what the summaries add to a write.
 */
export const COVERAGE_ROW_TRIGGERS = [
  "coverage_row_aggregates_insert",
  "coverage_row_aggregates_update",
  "coverage_row_aggregates_delete",
  "coverage_row_node_cells_insert",
  "coverage_row_node_cells_update",
  "coverage_row_node_cells_delete",
];

/**
 * One connection's hierarchy as discovery writes it: a root, `ous` OUs below it and `envs` environments
 * spread over the OUs, with materialised paths ("/root/ou/env/"). Returns the environments' ids.
 * Shared by the coverage benchmarks (aggregates, writer), which then write cells against them.
 */
export async function seedConnectionHierarchy(
  db: pg.Client,
  o: { workspaceId: string; connectionId: string; rootId: string; cloud: string; ous: number; envs: number },
): Promise<string[]> {
  const { workspaceId, connectionId, rootId, cloud, ous, envs } = o;
  await db.query(
    `INSERT INTO connection (id, "workspaceId", cloud, name, status, "createdAt", "updatedAt") VALUES ($1, $2, $3::"Cloud", $4, 'active', now(), now())`,
    [connectionId, workspaceId, cloud, `${cloud} org`],
  );
  await db.query(
    `INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, path, depth) VALUES ($1, $2, $3, 'root', 'root', 'Root', '/' || $1 || '/', 0)`,
    [rootId, workspaceId, connectionId],
  );
  await db.query(
    `INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, "parentId", path, depth)
     SELECT $3 || '_ou_' || i, $1, $2, 'ou-' || i, 'ou', 'team-' || i, $3, '/' || $3 || '/' || $3 || '_ou_' || i || '/', 1 FROM generate_series(1, ${ous}) i`,
    [workspaceId, connectionId, rootId],
  );
  await db.query(
    `INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, "parentId", path, depth, "isEnvironment")
     SELECT $3 || '_e_' || i, $1, $2, 'env-' || i, 'account', 'env-' || i, $3 || '_ou_' || (1 + i % ${ous}),
            '/' || $3 || '/' || $3 || '_ou_' || (1 + i % ${ous}) || '/' || $3 || '_e_' || i || '/', 2, true
     FROM generate_series(1, ${envs}) i`,
    [workspaceId, connectionId, rootId],
  );
  return Array.from({ length: envs }, (_, i) => `${rootId}_e_${i + 1}`);
}
