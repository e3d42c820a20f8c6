-- SCIM 2.0 provisioning per workspace (issue 18).

-- CreateTable
CREATE TABLE "workspace_scim" (
    "workspaceId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "tokenStart" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "workspace_scim_pkey" PRIMARY KEY ("workspaceId")
);

-- CreateTable
CREATE TABLE "scim_user" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "externalId" TEXT,
    "userName" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "displayName" TEXT,
    "givenName" TEXT,
    "familyName" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "scim_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scim_group" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "externalId" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "scim_group_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scim_group_member" (
    "groupId" TEXT NOT NULL,
    "scimUserId" TEXT NOT NULL,

    CONSTRAINT "scim_group_member_pkey" PRIMARY KEY ("groupId","scimUserId")
);

-- CreateIndex
CREATE UNIQUE INDEX "workspace_scim_tokenHash_key" ON "workspace_scim"("tokenHash");

-- CreateIndex
CREATE INDEX "scim_user_workspaceId_externalId_idx" ON "scim_user"("workspaceId", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "scim_user_workspaceId_userName_key" ON "scim_user"("workspaceId", "userName");

-- CreateIndex
CREATE UNIQUE INDEX "scim_user_workspaceId_userId_key" ON "scim_user"("workspaceId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "scim_group_workspaceId_displayName_key" ON "scim_group"("workspaceId", "displayName");

-- CreateIndex
CREATE INDEX "scim_group_member_scimUserId_idx" ON "scim_group_member"("scimUserId");

-- AddForeignKey
ALTER TABLE "workspace_scim" ADD CONSTRAINT "workspace_scim_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scim_user" ADD CONSTRAINT "scim_user_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scim_user" ADD CONSTRAINT "scim_user_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scim_group" ADD CONSTRAINT "scim_group_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scim_group_member" ADD CONSTRAINT "scim_group_member_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "scim_group"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scim_group_member" ADD CONSTRAINT "scim_group_member_scimUserId_fkey" FOREIGN KEY ("scimUserId") REFERENCES "scim_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
