// Types of lint/boundaries.js for the proof test (scripts/lib/lint-boundaries.test.ts).
import type { Linter } from "eslint";

export interface BoundaryAllowance {
  files: string[];
  boundaries: string[];
  why: string;
}
export const BOUNDARY_ALLOWLIST: ReadonlyArray<BoundaryAllowance>;
export const TEST_FILES: string[];
export const CORE_DB_SCRIPTS: string[];
export const WEB_COMPOSITION_ROOT: string[];
export const WORKER_COMPOSITION_ROOT: string[];
export const PROVIDERS_PUBLIC_MODULES: string[];
export const PRISMA_MODELS: string[];
export const boundaryConfigs: Linter.Config[];
