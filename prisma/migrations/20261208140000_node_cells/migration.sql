-- Matrix cells per environment (issue 15). A coverage matrix page of 100 environments × 50 guardrails
-- read its 5,000 cells from coverage_row: 101 index ranges of 50 entries and their heap rows, then an
-- aggregate per environment, ~2.3 ms of PostgreSQL CPU per page and the largest single cost of the page
-- at 20 clients (bench/RESULTS.md §4j). node_cells holds each environment's cells as one JSON object
-- (guardrail id → status), so a page reads 100 rows by primary key.
--
-- Kept exact by statement-level triggers on coverage_row in the same statement as the cells, like
-- coverage_count: a deleted cell removes its key, an inserted or updated one sets it (jsonb `-` and
-- `||`, so a statement costs what it changed, never a re-read of the environment's cells); an object
-- left empty is deleted. Rows are keyed by environment, so only writers of one connection ever touch
-- the same rows (and a connection's reconciles hold its lease); upserts go in key order all the same.
-- A bulk writer (parapet.coverage_bulk, migration 20261207010100) is skipped for its connection and
-- rebuilt by coverage_aggregates_rebuild before its commit, as the counts are. The matrix reads only
-- active environments' rows and only active guardrails' keys, so node and guardrail changes need no
-- trigger here; a deleted node or guardrail deletes its cells (FK cascade), which the triggers see.

CREATE TABLE "node_cells" (
    "nodeId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "cells" JSONB NOT NULL,
    CONSTRAINT "node_cells_pkey" PRIMARY KEY ("nodeId")
);
CREATE INDEX "node_cells_connectionId_idx" ON "node_cells"("connectionId");
ALTER TABLE "node_cells" ADD CONSTRAINT "node_cells_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE FUNCTION "coverage_row_node_cells"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  bulk TEXT := nullif(current_setting('parapet.coverage_bulk', true), '');
BEGIN
  -- Each branch is its own statements (a transition table that this event lacks cannot be named), and
  -- an emptied object is deleted by a second statement: one statement cannot see its own CTE's update.
  IF TG_OP = 'DELETE' THEN
    UPDATE node_cells nc SET cells = nc.cells - g.keys
    FROM (SELECT "nodeId", array_agg("guardrailId") AS keys FROM old_rows
          WHERE "connectionId" IS DISTINCT FROM bulk GROUP BY 1 ORDER BY 1) g
    WHERE nc."nodeId" = g."nodeId";
    IF FOUND THEN
      DELETE FROM node_cells WHERE cells = '{}'::jsonb AND "nodeId" IN (SELECT "nodeId" FROM old_rows);
    END IF;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    -- Reconcile only changes a cell's status, fidelity or detail (the upsert below sets it); a
    -- statement that moved a cell to another environment or guardrail first takes its old key away.
    UPDATE node_cells nc SET cells = nc.cells - g.keys
    FROM (SELECT o."nodeId", array_agg(o."guardrailId") AS keys FROM old_rows o
          WHERE o."connectionId" IS DISTINCT FROM bulk
            AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n."nodeId" = o."nodeId" AND n."guardrailId" = o."guardrailId")
          GROUP BY 1 ORDER BY 1) g
    WHERE nc."nodeId" = g."nodeId";
    IF FOUND THEN
      DELETE FROM node_cells WHERE cells = '{}'::jsonb AND "nodeId" IN (SELECT "nodeId" FROM old_rows);
    END IF;
  END IF;
  INSERT INTO node_cells ("nodeId", "connectionId", cells)
  SELECT "nodeId", min("connectionId"), jsonb_object_agg("guardrailId", status)
  FROM new_rows WHERE "connectionId" IS DISTINCT FROM bulk
  GROUP BY 1 ORDER BY 1
  ON CONFLICT ("nodeId") DO UPDATE SET cells = node_cells.cells || excluded.cells, "connectionId" = excluded."connectionId";
  RETURN NULL;
END
$$;

CREATE TRIGGER "coverage_row_node_cells_insert" AFTER INSERT ON "coverage_row"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "coverage_row_node_cells"();
CREATE TRIGGER "coverage_row_node_cells_update" AFTER UPDATE ON "coverage_row"
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "coverage_row_node_cells"();
CREATE TRIGGER "coverage_row_node_cells_delete" AFTER DELETE ON "coverage_row"
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "coverage_row_node_cells"();

CREATE OR REPLACE FUNCTION "coverage_row_aggregates_truncate"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM coverage_count;
  DELETE FROM coverage_subtree_count;
  DELETE FROM node_cells;
  RETURN NULL;
END
$$;

-- The bulk path's recount (20261207010100_coverage_aggregates_bulk) keeps its body under a new name, and
-- coverage_aggregates_rebuild, which the writer calls, becomes that recount plus the connection's node_cells.
ALTER FUNCTION "coverage_aggregates_rebuild"(TEXT) RENAME TO "coverage_counts_rebuild";
CREATE FUNCTION "coverage_aggregates_rebuild"(conn TEXT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM coverage_counts_rebuild(conn);
  DELETE FROM node_cells WHERE "connectionId" = conn;
  -- A connection that no longer exists has no cells left to insert.
  INSERT INTO node_cells ("nodeId", "connectionId", cells)
  SELECT "nodeId", conn, jsonb_object_agg("guardrailId", status)
  FROM coverage_row WHERE "connectionId" = conn
  GROUP BY 1 ORDER BY 1;
END
$$;

-- Backfill from the cells as they are.
INSERT INTO node_cells ("nodeId", "connectionId", cells)
SELECT "nodeId", min("connectionId"), jsonb_object_agg("guardrailId", status)
FROM coverage_row GROUP BY 1 ORDER BY 1;
