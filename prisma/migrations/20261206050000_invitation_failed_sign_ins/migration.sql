-- Failed sign-ins of an invited address count against its pending invitations (revoked at a limit).
ALTER TABLE "invitation" ADD COLUMN "failedSignIns" INTEGER NOT NULL DEFAULT 0;
