-- Bulk coverage writes (issue 15). The cell triggers update the same aggregate rows from every statement,
-- and within one long transaction each update leaves the row another version nobody can prune before
-- commit, so every later upsert walks a longer chain: a connection's first 500,000 cells, written in
-- 200-row statements in one transaction, spent 332 s in the triggers against 36 s for the rows
-- themselves (bench/RESULTS.md §4c). A writer that is about to write many rows of one connection says so
-- for the rest of its transaction (`parapet.coverage_bulk` = that connection's id, set with
-- set_config(…, true)); the cell trigger then leaves that connection's counts alone, and the writer
-- recounts them once, before its commit, with coverage_aggregates_rebuild. Same transaction, so no
-- other reader ever sees the counts disagree with the rows.

CREATE OR REPLACE FUNCTION "coverage_row_aggregates"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  rows_sql TEXT;
  q TEXT[];
  k1 TEXT[]; g1 TEXT[]; s1 "CoverageStatus"[];
  k2 TEXT[]; g2 TEXT[]; s2 "CoverageStatus"[];
  conns TEXT[];
BEGIN
  rows_sql := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT r.*, 1 AS d FROM new_rows r'
    WHEN 'DELETE' THEN 'SELECT r.*, -1 AS d FROM old_rows r'
    ELSE 'SELECT r.*, -1 AS d FROM old_rows r UNION ALL SELECT r.*, 1 AS d FROM new_rows r'
  END;
  EXECUTE format('SELECT array_agg(DISTINCT "connectionId" ORDER BY "connectionId") FROM (%s) x', rows_sql) INTO conns;
  PERFORM coverage_aggregate_lock(conns, false);
  -- Only when every row of the statement is the bulk connection's: any other connection's rows are
  -- counted as always (the rebuild recounts just the one it names).
  IF conns = ARRAY[nullif(current_setting('parapet.coverage_bulk', true), '')] THEN
    RETURN NULL;
  END IF;
  q := coverage_aggregate_sql(format(
    'SELECT r."connectionId", r."workspaceId", r."guardrailId", r.status, r.d, r."nodeId", nd.path, coalesce(nd.state = %L, false) AS active
     FROM (%s) r LEFT JOIN node nd ON nd.id = r."nodeId"', 'active', rows_sql), true);
  EXECUTE q[1] INTO k1, g1, s1;
  EXECUTE q[2] INTO k2, g2, s2;
  PERFORM coverage_aggregate_drop_zero(k1, g1, s1, k2, g2, s2);
  RETURN NULL;
END
$$;

-- Recounts one connection's aggregates from its rows (what the migration's backfill does for all).
-- Takes the connection's lock exclusively, as node state/path changes do: a node change waits for this
-- transaction, or this recount waits for the node change to commit and then reads its nodes.
-- Subtree counts: a cell's scopes are its connection and the segments of its node's path other than the
-- node itself (coverage_scopes); cells are first summed per such ancestor list (siblings share one), then
-- spread over its scopes, so the spreading works on a few thousand rows, not on every cell.
CREATE FUNCTION "coverage_aggregates_rebuild"(conn TEXT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM coverage_aggregate_lock(ARRAY[conn], true);
  DELETE FROM coverage_count WHERE "connectionId" = conn;
  DELETE FROM coverage_subtree_count WHERE "connectionId" = conn;
  IF NOT EXISTS (SELECT 1 FROM connection WHERE id = conn) THEN
    RETURN;
  END IF;
  INSERT INTO coverage_count ("connectionId", "guardrailId", status, "workspaceId", n)
  SELECT "connectionId", "guardrailId", status, min("workspaceId"), count(*)::int
  FROM coverage_row WHERE "connectionId" = conn
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
  INSERT INTO coverage_subtree_count ("scopeId", "guardrailId", status, "connectionId", n)
  SELECT a.scope, g."guardrailId", g.status, conn, sum(g.n)::int
  FROM (
    SELECT array_remove(string_to_array(nd.path, '/'), nd.id) AS anc, cr."guardrailId", cr.status, count(*) AS n
    FROM coverage_row cr JOIN node nd ON nd.id = cr."nodeId" AND nd.state = 'active'
    WHERE cr."connectionId" = conn
    GROUP BY 1, 2, 3
  ) g CROSS JOIN LATERAL (SELECT conn UNION ALL SELECT p FROM unnest(g.anc) p WHERE p <> '') a(scope)
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
END
$$;
