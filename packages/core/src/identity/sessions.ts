/**
 * The web app's session and API-token lookups (route authentication, the console's session, switching
 * workspace, health), as a service over identity/sessions.repository.ts: apps/web does not import
 * repositories (docs/ARCHITECTURE.md, "Boundaries the build enforces").
 */
export {
  findTokenOwner,
  membershipIn,
  membershipsOf,
  membershipsWithWorkspaces,
  pingDatabase,
  setSessionWorkspace,
  setSessionWorkspaceByToken,
} from "./sessions.repository.ts";
export { verifySessionCookie } from "./session-verify.ts";
