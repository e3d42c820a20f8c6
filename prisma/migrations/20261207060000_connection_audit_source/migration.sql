-- Where impact replay reads a connection's audit log beyond the connector's default (AWS: the organization trail's bucket).
ALTER TABLE "connection" ADD COLUMN "auditSource" JSONB NOT NULL DEFAULT '{}';
