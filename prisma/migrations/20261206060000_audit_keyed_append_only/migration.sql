-- Audit chain keyed with HMAC: the id of the key each row hash was made with. Rows written before
-- this migration keep NULL: their unkeyed sha256 links stay verifiable as they are, and the first
-- keyed row HMAC covers the last of them (its prevHash), so they cannot be rewritten unnoticed.
ALTER TABLE "audit_event" ADD COLUMN "keyId" TEXT;

-- Append-only at the database: no role (including the app) may UPDATE or DELETE an audit row, and
-- every new row must be keyed (an unkeyed row could be forged without the key). The one DELETE
-- allowed is the cascade of deleting its workspace (the foreign key ON DELETE CASCADE runs inside
-- the referential-integrity trigger, so pg_trigger_depth() > 1); a direct DELETE is at depth 1.
CREATE FUNCTION "audit_event_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW."keyId" IS NULL THEN
      RAISE EXCEPTION 'audit_event: new rows must be keyed (keyId is null)' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = '42501';
END
$$;

CREATE TRIGGER "audit_event_append_only"
BEFORE INSERT OR UPDATE OR DELETE ON "audit_event"
FOR EACH ROW EXECUTE FUNCTION "audit_event_append_only"();

-- TRUNCATE bypasses row triggers.
CREATE TRIGGER "audit_event_no_truncate"
BEFORE TRUNCATE ON "audit_event"
FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_append_only"();
