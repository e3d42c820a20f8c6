-- Incremental discovery (issue 15): nodes named by cloud events, read by the next reconcile's targeted discovery.
CREATE TABLE "hierarchy_change" (
    "id" BIGSERIAL NOT NULL,
    "connectionId" TEXT NOT NULL,
    "externalId" TEXT,
    "eventId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hierarchy_change_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "hierarchy_change_connectionId_id_idx" ON "hierarchy_change"("connectionId", "id");

ALTER TABLE "hierarchy_change" ADD CONSTRAINT "hierarchy_change_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;
