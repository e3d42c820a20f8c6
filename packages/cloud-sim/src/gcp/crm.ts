// Resource Manager v3, by part: crm-common.ts (names, wire forms, LROs, lookups, GetOperation),
// crm-search.ts (search queries), crm-mutations.ts (changes shared by the API and the admin API),
// crm-organizations.ts, crm-folders.ts and crm-projects.ts (the API handlers).
export { folderWire, getOperation, projectWire } from "./crm-common.ts";
export { doCreateFolder, doCreateProject, doMoveProject, doUpdateProject } from "./crm-mutations.ts";
export { getOrganization, searchOrganizations, testOrganizationIamPermissions } from "./crm-organizations.ts";
export { createFolder, deleteFolder, getFolder, listFolders, moveFolder, searchFolders, updateFolder } from "./crm-folders.ts";
export { createProject, deleteProject, getProject, listProjects, moveProject, searchProjects, updateProject } from "./crm-projects.ts";
