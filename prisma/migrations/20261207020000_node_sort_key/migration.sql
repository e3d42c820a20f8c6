-- Issue 15: dashboard reads at index speed. Every node stores its hierarchy sort key, so a matrix page
-- or a level of the tree is an index range scan from the last row's key instead of a recursive walk
-- of the whole hierarchy per request.
--
-- The key: per connection, depth first, siblings by lower(name) then id, compared byte-wise (COLLATE "C").
-- Each level appends lower(name) \x01 id \x02 to its parent's key (a root starts from connectionId \x02).
-- \x01 sorts below any character a name can continue with, so "a" < "ab"; a node's key is a prefix of
-- all its descendants' keys, so a subtree is one contiguous key range. \x01 and \x02 are stripped from
-- names so no name can break that.
--
-- Triggers keep it right for every writer (discovery's bulk inserts, incremental cloud-event updates,
-- seeds and benchmarks writing raw SQL): a row's key is computed from its parent's on insert and when
-- its name, parent or connection changes; a changed key re-keys the row's subtree (an OU renamed or
-- moved carries every descendant with it); a parent inserted after its children (in one statement)
-- re-keys them.

ALTER TABLE "node" ADD COLUMN "sortKey" TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE FUNCTION node_sort_key_piece(name TEXT, id TEXT) RETURNS TEXT
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT translate(lower(name), chr(1) || chr(2), '') || chr(1) || id || chr(2) $$;

-- Recomputes the keys below `root` from its current key. Depth-limited (no cloud nests 64 levels) so a
-- cycle written by mistake ends instead of recursing forever. While it runs, the triggers below stand
-- aside for the rows it writes (it has already computed their keys, and re-keying their own subtrees
-- again would only repeat work).
CREATE FUNCTION node_rekey_subtree(root TEXT) RETURNS VOID
  LANGUAGE plpgsql
  AS $$
DECLARE
  prev TEXT := current_setting('parapet.node_rekeying', true);
BEGIN
  PERFORM set_config('parapet.node_rekeying', 'on', true);
  WITH RECURSIVE d(id, k, lvl) AS (
    SELECT c.id, (p."sortKey" || node_sort_key_piece(c.name, c.id)) COLLATE "C", 1
    FROM node p JOIN node c ON c."parentId" = p.id
    WHERE p.id = root
    UNION ALL
    SELECT c.id, (d.k || node_sort_key_piece(c.name, c.id)) COLLATE "C", d.lvl + 1
    FROM d JOIN node c ON c."parentId" = d.id
    WHERE d.lvl < 64
  )
  UPDATE node n SET "sortKey" = d.k FROM d WHERE n.id = d.id AND n."sortKey" IS DISTINCT FROM d.k;
  PERFORM set_config('parapet.node_rekeying', coalesce(prev, ''), true);
END
$$;

CREATE FUNCTION node_sort_key_set() RETURNS TRIGGER
  LANGUAGE plpgsql
  AS $$
DECLARE
  parent_key TEXT;
BEGIN
  IF current_setting('parapet.node_rekeying', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE'
     AND NEW.name IS NOT DISTINCT FROM OLD.name
     AND NEW."parentId" IS NOT DISTINCT FROM OLD."parentId"
     AND NEW."connectionId" IS NOT DISTINCT FROM OLD."connectionId"
     AND NEW."sortKey" IS NOT DISTINCT FROM OLD."sortKey" THEN
    RETURN NEW;
  END IF;
  IF NEW."parentId" IS NOT NULL THEN
    SELECT "sortKey" INTO parent_key FROM node WHERE id = NEW."parentId";
  END IF;
  -- A parent not written yet (inserted later in the same statement) leaves a root key here; the
  -- parent's insert re-keys this row (node_sort_key_adopt). A key written directly is recomputed.
  NEW."sortKey" := coalesce(parent_key, NEW."connectionId" || chr(2)) || node_sort_key_piece(NEW.name, NEW.id);
  RETURN NEW;
END
$$;

CREATE FUNCTION node_sort_key_cascade() RETURNS TRIGGER
  LANGUAGE plpgsql
  AS $$
BEGIN
  PERFORM node_rekey_subtree(NEW.id);
  RETURN NULL;
END
$$;

CREATE FUNCTION node_sort_key_adopt() RETURNS TRIGGER
  LANGUAGE plpgsql
  AS $$
DECLARE
  r RECORD;
BEGIN
  -- Only inserted rows that already have children whose keys do not follow theirs (children written
  -- first); the usual parents-first insert finds none.
  FOR r IN
    SELECT DISTINCT i.id
    FROM inserted i
    JOIN node p ON p.id = i.id
    JOIN node c ON c."parentId" = i.id
    WHERE c."sortKey" IS DISTINCT FROM (p."sortKey" || node_sort_key_piece(c.name, c.id))
  LOOP
    PERFORM node_rekey_subtree(r.id);
  END LOOP;
  RETURN NULL;
END
$$;

-- Backfill before the triggers exist: one walk from the roots.
WITH RECURSIVE t(id, k, lvl) AS (
  SELECT id, ("connectionId" || chr(2) || node_sort_key_piece(name, id)) COLLATE "C", 1
  FROM node WHERE "parentId" IS NULL
  UNION ALL
  SELECT c.id, (t.k || node_sort_key_piece(c.name, c.id)) COLLATE "C", t.lvl + 1
  FROM node c JOIN t ON c."parentId" = t.id
  WHERE t.lvl < 64
)
UPDATE node SET "sortKey" = t.k FROM t WHERE node.id = t.id;

CREATE TRIGGER node_sort_key_set
  BEFORE INSERT OR UPDATE OF name, "parentId", "connectionId", "sortKey" ON node
  FOR EACH ROW EXECUTE FUNCTION node_sort_key_set();

-- WHEN is evaluated as each row is written, so rows re-keyed by node_rekey_subtree queue nothing.
CREATE TRIGGER node_sort_key_cascade
  AFTER UPDATE ON node
  FOR EACH ROW
  WHEN (OLD."sortKey" IS DISTINCT FROM NEW."sortKey" AND current_setting('parapet.node_rekeying', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION node_sort_key_cascade();

CREATE TRIGGER node_sort_key_adopt
  AFTER INSERT ON node
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION node_sort_key_adopt();

-- Matrix pages (all connections, one connection): active environments in key order.
CREATE INDEX "node_workspaceId_sortKey_env_idx" ON "node"("workspaceId", "sortKey") WHERE "isEnvironment" AND "state" = 'active';
CREATE INDEX "node_connectionId_sortKey_env_idx" ON "node"("connectionId", "sortKey") WHERE "isEnvironment" AND "state" = 'active';
-- A level of the tree in key order (the parent's children are one key range under it); also what
-- re-keying a subtree and ON DELETE SET NULL look up, so it replaces the plain parentId index. `state`
-- is included so a row's count of active children is an index-only scan: with heap fetches the planner
-- costs the per-row count high enough on a flat organisation to JIT-compile a 3 ms page (+50-300 ms).
DROP INDEX "node_parentId_idx";
CREATE INDEX "node_parentId_sortKey_idx" ON "node"("parentId", "sortKey") INCLUDE ("state");

-- The matrix's status filter ("environments with a cell in status X"): for each candidate environment
-- in key order, one probe (workspaceId, status, nodeId); for a rare status the planner reads the
-- status's range instead and sorts the few environments. Replaces the (workspaceId, status) index, its prefix.
CREATE INDEX "coverage_row_workspaceId_status_nodeId_idx" ON "coverage_row"("workspaceId", "status", "nodeId");
DROP INDEX "coverage_row_workspaceId_status_idx";

-- The drift list without a status filter pages newest first from the last (openedAt, id): an index
-- range from the cursor's time instead of a scan and sort of the workspace's findings.
CREATE INDEX "drift_finding_workspaceId_openedAt_id_idx" ON "drift_finding"("workspaceId", "openedAt", "id");
