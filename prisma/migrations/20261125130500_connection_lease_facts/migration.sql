-- AlterTable
ALTER TABLE "connection" ADD COLUMN     "facts" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "reconcileLeaseOwner" TEXT,
ADD COLUMN     "reconcileLeaseUntil" TIMESTAMP(3);
