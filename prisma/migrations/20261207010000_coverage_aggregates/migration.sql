-- Coverage aggregates (issue 15): the dashboard's counts read from tables shaped for them instead of
-- grouping coverage_row (500,000 rows at 10,000 environments × 50 guardrails). Both tables are kept
-- by triggers in the same transaction as the rows they summarise, so every writer (reconcile's
-- batches, FK cascades, seed and bench SQL) keeps them exact without knowing they exist, and a page
-- never shows a number the rows do not add up to.
--
--   coverage_count          (connectionId, guardrailId, status) → n   every cell, as coverage_row holds them
--   coverage_subtree_count  (scopeId, guardrailId, status) → n        cells of ACTIVE nodes below a scope:
--                           scopeId = each proper ancestor on the cell node's path, and the connection id
--
-- Statement-level triggers with transition tables: one aggregation per statement (a 1,000-row batch
-- becomes a few hundred upserts), never per row. Deltas are upserted in key order, so two writers
-- that touch the same aggregate rows lock them in the same order; rows are keyed by connection (and
-- by nodes of one connection), so reconciles of different connections never touch the same rows.
-- A count that reaches zero is deleted in the same statement, so the tables hold only what exists.

CREATE TABLE "coverage_count" (
    "connectionId" TEXT NOT NULL,
    "guardrailId" TEXT NOT NULL,
    "status" "CoverageStatus" NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    CONSTRAINT "coverage_count_pkey" PRIMARY KEY ("connectionId","guardrailId","status")
);
CREATE INDEX "coverage_count_workspaceId_idx" ON "coverage_count"("workspaceId");
ALTER TABLE "coverage_count" ADD CONSTRAINT "coverage_count_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "coverage_subtree_count" (
    "scopeId" TEXT NOT NULL,
    "guardrailId" TEXT NOT NULL,
    "status" "CoverageStatus" NOT NULL,
    "connectionId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    CONSTRAINT "coverage_subtree_count_pkey" PRIMARY KEY ("scopeId","guardrailId","status")
);
CREATE INDEX "coverage_subtree_count_connectionId_idx" ON "coverage_subtree_count"("connectionId");
ALTER TABLE "coverage_subtree_count" ADD CONSTRAINT "coverage_subtree_count_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The scopes a cell counts in: its connection, and every node on its node's materialised path except
-- the node itself (cells sit on environments, which are leaves; the node page only asks for subtree
-- counts of non-environment nodes). Paths are "/root/ou/env/"; empty segments are ignored.
CREATE FUNCTION "coverage_scopes"(conn TEXT, node_id TEXT, node_path TEXT) RETURNS SETOF TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT conn
  UNION ALL
  SELECT p FROM unnest(string_to_array(node_path, '/')) p WHERE p <> '' AND p <> node_id
$$;

-- Applies a delta relation to both tables. `src` is SQL text (evaluated by the calling trigger
-- function, which is where the transition tables are visible) yielding columns
--   "connectionId", "workspaceId", "guardrailId", status, d (+1/-1), "nodeId", path, active
-- `with_counts`: also apply to coverage_count (node triggers change only subtree counts).
-- Deltas for a connection that no longer exists are dropped: its aggregate rows are gone by cascade,
-- and re-creating them would violate the foreign key.
CREATE FUNCTION "coverage_aggregate_sql"(src TEXT, with_counts BOOLEAN) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[
    CASE WHEN with_counts THEN format($q$
      WITH g AS (
        SELECT s."connectionId", s."guardrailId", s.status, min(s."workspaceId") AS "workspaceId", sum(s.d)::int AS n
        FROM (%s) s GROUP BY 1, 2, 3 HAVING sum(s.d) <> 0
      ), up AS (
        INSERT INTO coverage_count ("connectionId", "guardrailId", status, "workspaceId", n)
        SELECT g."connectionId", g."guardrailId", g.status, g."workspaceId", g.n FROM g
        WHERE EXISTS (SELECT 1 FROM connection c WHERE c.id = g."connectionId")
        ORDER BY 1, 2, 3
        ON CONFLICT ("connectionId", "guardrailId", status) DO UPDATE SET n = coverage_count.n + EXCLUDED.n
        RETURNING "connectionId", "guardrailId", status, n
      )
      SELECT array_agg("connectionId") FILTER (WHERE n = 0), array_agg("guardrailId") FILTER (WHERE n = 0), array_agg(status) FILTER (WHERE n = 0) FROM up
    $q$, src) END,
    format($q$
      WITH p AS (
        -- Cells of the environments below one parent share their scopes: summed per ancestor list
        -- first (5,000 cells of one batch become a few hundred groups), then spread over the scopes.
        SELECT s."connectionId", array_remove(string_to_array(s.path, '/'), s."nodeId") AS anc, s."guardrailId", s.status, sum(s.d)::int AS n
        FROM (%s) s WHERE s.active
        GROUP BY 1, 2, 3, 4 HAVING sum(s.d) <> 0
      ), g AS (
        SELECT a.scope AS "scopeId", p."guardrailId", p.status, p."connectionId", sum(p.n)::int AS n
        FROM p CROSS JOIN LATERAL (SELECT p."connectionId" UNION ALL SELECT q FROM unnest(p.anc) q WHERE q <> '') a(scope)
        GROUP BY 1, 2, 3, 4 HAVING sum(p.n) <> 0
      ), up AS (
        INSERT INTO coverage_subtree_count ("scopeId", "guardrailId", status, "connectionId", n)
        SELECT g."scopeId", g."guardrailId", g.status, g."connectionId", g.n FROM g
        WHERE EXISTS (SELECT 1 FROM connection c WHERE c.id = g."connectionId")
        ORDER BY 1, 2, 3
        ON CONFLICT ("scopeId", "guardrailId", status) DO UPDATE SET n = coverage_subtree_count.n + EXCLUDED.n
        RETURNING "scopeId", "guardrailId", status, n
      )
      SELECT array_agg("scopeId") FILTER (WHERE n = 0), array_agg("guardrailId") FILTER (WHERE n = 0), array_agg(status) FILTER (WHERE n = 0) FROM up
    $q$, src)
  ]
$$;

-- Runs the two statements of coverage_aggregate_sql and deletes the counts that reached zero.
-- A plain function cannot see the caller's transition tables, so the trigger functions EXECUTE the
-- statements themselves and only pass the zero keys here.
CREATE FUNCTION "coverage_aggregate_drop_zero"(
  k1 TEXT[], g1 TEXT[], s1 "CoverageStatus"[], k2 TEXT[], g2 TEXT[], s2 "CoverageStatus"[]
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF k1 IS NOT NULL THEN
    DELETE FROM coverage_count c USING unnest(k1, g1, s1) z(k, g, s)
    WHERE c."connectionId" = z.k AND c."guardrailId" = z.g AND c.status = z.s AND c.n = 0;
  END IF;
  IF k2 IS NOT NULL THEN
    DELETE FROM coverage_subtree_count c USING unnest(k2, g2, s2) z(k, g, s)
    WHERE c."scopeId" = z.k AND c."guardrailId" = z.g AND c.status = z.s AND c.n = 0;
  END IF;
END
$$;

-- coverage_row INSERT / UPDATE / DELETE (three triggers: PostgreSQL allows transition tables only on
-- single-event triggers). The cell's node gives the path and state; a node that is gone (deleted in
-- this transaction, its cells removed by the cascade) contributes nothing here, because its BEFORE
-- DELETE trigger below already took its cells out of the subtree counts.
-- Concurrency: a cell is counted under its node's state and path, read here; a concurrent change of
-- that state or path counts the cells it can see. So the two take a transaction-scoped advisory lock
-- on the connection, shared here and exclusive in the node triggers: whichever comes second waits for
-- the first to commit and then reads its rows (each statement in these functions takes a fresh
-- snapshot). Shared, so cell writers never wait for each other; advisory rather than a row lock on the
-- nodes, so a label edit on a node never waits for a reconcile's coverage transaction. (Within a
-- connection the reconcile lease already serialises discovery and coverage writes; this makes the
-- invariant hold for any writer.)
CREATE FUNCTION "coverage_aggregate_lock"(conns TEXT[], exclusive BOOLEAN) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c TEXT;
BEGIN
  -- In key order, so two transactions locking several connections cannot deadlock on each other.
  FOREACH c IN ARRAY coalesce(conns, ARRAY[]::TEXT[]) LOOP
    IF exclusive THEN
      PERFORM pg_advisory_xact_lock(hashtextextended('coverage:' || c, 0));
    ELSE
      PERFORM pg_advisory_xact_lock_shared(hashtextextended('coverage:' || c, 0));
    END IF;
  END LOOP;
END
$$;

CREATE FUNCTION "coverage_row_aggregates"() RETURNS trigger
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
  q := coverage_aggregate_sql(format(
    'SELECT r."connectionId", r."workspaceId", r."guardrailId", r.status, r.d, r."nodeId", nd.path, coalesce(nd.state = %L, false) AS active
     FROM (%s) r LEFT JOIN node nd ON nd.id = r."nodeId"', 'active', rows_sql), true);
  EXECUTE q[1] INTO k1, g1, s1;
  EXECUTE q[2] INTO k2, g2, s2;
  PERFORM coverage_aggregate_drop_zero(k1, g1, s1, k2, g2, s2);
  RETURN NULL;
END
$$;

CREATE TRIGGER "coverage_row_aggregates_insert" AFTER INSERT ON "coverage_row"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "coverage_row_aggregates"();
CREATE TRIGGER "coverage_row_aggregates_update" AFTER UPDATE ON "coverage_row"
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "coverage_row_aggregates"();
CREATE TRIGGER "coverage_row_aggregates_delete" AFTER DELETE ON "coverage_row"
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "coverage_row_aggregates"();

-- TRUNCATE skips row-level effects; both aggregates are then empty by definition.
CREATE FUNCTION "coverage_row_aggregates_truncate"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM coverage_count;
  DELETE FROM coverage_subtree_count;
  RETURN NULL;
END
$$;
CREATE TRIGGER "coverage_row_aggregates_truncate" AFTER TRUNCATE ON "coverage_row"
FOR EACH STATEMENT EXECUTE FUNCTION "coverage_row_aggregates_truncate"();

-- node UPDATE: a node retired/restored (state) or moved (path, which discovery rewrites for the whole
-- moved subtree) moves its cells between subtree counts: out of the old scopes if it was active,
-- into the new ones if it is. Other node updates (labels, names, lastSeenAt) find nothing to move.
CREATE FUNCTION "node_coverage_aggregates"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  q TEXT[];
  k2 TEXT[]; g2 TEXT[]; s2 "CoverageStatus"[];
  conns TEXT[];
BEGIN
  SELECT array_agg(DISTINCT n."connectionId" ORDER BY n."connectionId") INTO conns
  FROM old_nodes o JOIN new_nodes n ON n.id = o.id
  WHERE n.state IS DISTINCT FROM o.state OR n.path IS DISTINCT FROM o.path;
  IF conns IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM coverage_aggregate_lock(conns, true);
  q := coverage_aggregate_sql(format($s$
    SELECT cr."connectionId", cr."workspaceId", cr."guardrailId", cr.status, x.d, x.id AS "nodeId", x.path, x.active
    FROM (
      SELECT o.id, -1 AS d, o.path, o.state = %1$L AS active
      FROM old_nodes o JOIN new_nodes n ON n.id = o.id WHERE n.state IS DISTINCT FROM o.state OR n.path IS DISTINCT FROM o.path
      UNION ALL
      SELECT n.id, 1 AS d, n.path, n.state = %1$L AS active
      FROM old_nodes o JOIN new_nodes n ON n.id = o.id WHERE n.state IS DISTINCT FROM o.state OR n.path IS DISTINCT FROM o.path
    ) x JOIN coverage_row cr ON cr."nodeId" = x.id
  $s$, 'active'), false);
  EXECUTE q[2] INTO k2, g2, s2;
  PERFORM coverage_aggregate_drop_zero(NULL, NULL, NULL, k2, g2, s2);
  RETURN NULL;
END
$$;
CREATE TRIGGER "node_coverage_aggregates" AFTER UPDATE ON "node"
REFERENCING OLD TABLE AS old_nodes NEW TABLE AS new_nodes FOR EACH STATEMENT EXECUTE FUNCTION "node_coverage_aggregates"();

-- node DELETE: take the node's cells out of its scopes while the node (its path) still exists; the
-- cascade that then deletes the cells finds no node and leaves subtree counts alone. Row-level,
-- because a statement-level trigger runs only after the cascade has removed the cells. Skipped when
-- the connection or workspace itself is being deleted (the aggregate rows go by cascade; a workspace
-- cascade may reach its nodes before its connections) or the node has no cells.
CREATE FUNCTION "node_coverage_aggregates_delete"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  q TEXT[];
  k2 TEXT[]; g2 TEXT[]; s2 "CoverageStatus"[];
BEGIN
  IF OLD.state <> 'active'
     OR NOT EXISTS (SELECT 1 FROM workspace WHERE id = OLD."workspaceId")
     OR NOT EXISTS (SELECT 1 FROM connection WHERE id = OLD."connectionId") THEN
    RETURN OLD;
  END IF;
  PERFORM coverage_aggregate_lock(ARRAY[OLD."connectionId"], true);
  IF NOT EXISTS (SELECT 1 FROM coverage_row WHERE "nodeId" = OLD.id) THEN
    RETURN OLD;
  END IF;
  q := coverage_aggregate_sql(format(
    'SELECT cr."connectionId", cr."workspaceId", cr."guardrailId", cr.status, -1 AS d, cr."nodeId", %L::text AS path, true AS active
     FROM coverage_row cr WHERE cr."nodeId" = %L', OLD.path, OLD.id), false);
  EXECUTE q[2] INTO k2, g2, s2;
  PERFORM coverage_aggregate_drop_zero(NULL, NULL, NULL, k2, g2, s2);
  RETURN OLD;
END
$$;
CREATE TRIGGER "node_coverage_aggregates_delete" BEFORE DELETE ON "node"
FOR EACH ROW EXECUTE FUNCTION "node_coverage_aggregates_delete"();

-- Backfill from the rows that exist now.
INSERT INTO coverage_count ("connectionId", "guardrailId", status, "workspaceId", n)
SELECT "connectionId", "guardrailId", status, min("workspaceId"), count(*)::int
FROM coverage_row GROUP BY 1, 2, 3;

INSERT INTO coverage_subtree_count ("scopeId", "guardrailId", status, "connectionId", n)
SELECT a.scope, cr."guardrailId", cr.status, cr."connectionId", count(*)::int
FROM coverage_row cr JOIN node nd ON nd.id = cr."nodeId" AND nd.state = 'active'
CROSS JOIN LATERAL coverage_scopes(cr."connectionId", nd.id, nd.path) a(scope)
GROUP BY 1, 2, 3, 4;
