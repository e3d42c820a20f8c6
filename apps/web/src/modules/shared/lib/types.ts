/** Shapes of the /api/v1 contract as the browser reads them. */
import type { Role } from "@parapet/core/identity/roles";

export type Cloud = "aws" | "azure" | "gcp" | "oci";
export const CLOUDS: readonly Cloud[] = ["aws", "azure", "gcp", "oci"];
export type Fidelity = "enforced" | "partial" | "detective" | "unsupported";
export type Mode = "audit" | "enforce";
export type Remediation = "auto" | "notify";
export type CoverageStatus = "enforced" | "audit" | "exempt" | "drifted" | "pending" | "unknown" | "unsupported";
export const COVERAGE_STATUSES: readonly CoverageStatus[] = ["enforced", "audit", "exempt", "drifted", "pending", "unknown", "unsupported"];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Me {
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string; slug: string };
  role: Role;
  permissions: string[];
}

export interface CatalogControl {
  id: string;
  title: string;
  rationale: string;
  category: string;
  frameworks: { framework: string; ref: string }[];
  fidelity: Record<Cloud, { fidelity: Fidelity; gap?: string }>;
  paramsSchema: JsonSchema;
  defaults: Record<string, unknown>;
  scenarios?: { cloud: Cloud; name: string; kind: string }[];
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  title?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
}

export interface ScenarioResult {
  cloud: Cloud;
  name: string;
  kind?: string;
  ok?: boolean;
  passed?: boolean;
  expected?: string;
  actual?: string;
  detail?: string;
  reasons?: string[];
  [k: string]: unknown;
}

export interface CompileResult {
  clouds: Partial<Record<Cloud, { fidelity: Fidelity; gap?: string; artifacts: Artifact[]; error?: string }>>;
  scenarios: ScenarioResult[];
}

interface Artifact {
  kind?: string;
  name?: string;
  content?: unknown;
  [k: string]: unknown;
}

export interface Scope {
  all?: boolean;
  nodeIds?: string[];
  labels?: string;
  exclude?: string[];
}

export interface CoverageTotals {
  enforced: number;
  audit: number;
  exempt: number;
  drifted: number;
  pending: number;
  unknown: number;
  unsupported: number;
  total: number;
}

export interface Guardrail {
  id: string;
  controlId: string;
  name: string;
  description: string;
  status: "active" | "disabled" | "deleted";
  currentVersion: number;
  mode: Mode;
  remediation: Remediation;
  scope: Scope;
  params: Record<string, unknown>;
  coverage: CoverageTotals;
  pendingApproval: string | null;
  updatedAt: string;
}

export interface GuardrailVersion {
  version: number;
  params: Record<string, unknown>;
  scope: Scope;
  mode: Mode;
  remediation: Remediation;
  note: string;
  createdBy: string | { id?: string; email?: string; name?: string } | null;
  createdAt: string;
}

export interface GuardrailDetail extends Guardrail {
  versions: GuardrailVersion[];
}

interface VerifyResult {
  ok: boolean;
  identity?: string;
  missing?: string[];
  checks?: { name?: string; permission?: string; ok: boolean; detail?: string; message?: string }[];
  /** Access is fine but something else stands in the way (e.g. the root is already managed by another connection). */
  warnings?: string[];
}

export interface Connection {
  id: string;
  cloud: Cloud;
  name: string;
  status: "draft" | "verifying" | "active" | "error" | "disabled";
  rootId: string | null;
  endpoint: string | null;
  credentialHints: Record<string, unknown>;
  pollIntervalSec: number;
  lastVerifiedAt: string | null;
  verifyResult: VerifyResult | null;
  lastDiscoveredAt: string | null;
  lastReconciledAt: string | null;
  lastReconcileStatus: string | null;
  lastError: string | null;
  environments: number;
  wizardState: Record<string, unknown>;
  facts?: Record<string, unknown>;
  principals?: Record<string, unknown>;
}

export interface Bootstrap {
  cloud: Cloud;
  externalId?: string;
  files: { name: string; language: string; content: string }[];
  permissions: { permission: string; why: string }[];
}

interface PlanChange {
  op: string;
  cause?: string;
  reason?: string;
  kind?: string;
  name?: string;
  target?: string;
}

export interface PreviewRun {
  status: string;
  plan: { changes: PlanChange[]; problems: unknown[]; unknown: unknown[] } | null;
  error?: string | null;
  startedAt?: string;
  finishedAt?: string | null;
}

export interface HierarchyNode {
  id: string;
  externalId: string;
  kind: string;
  name: string;
  parentId: string | null;
  isEnvironment: boolean;
  labels: Record<string, string>;
  cloudLabels: Record<string, string>;
  labelOverrides: Record<string, string>;
  childCount: number;
}

export interface ScopePreview {
  environments: number;
  byConnection: { connectionId: string; name: string; cloud: Cloud; environments: number }[];
  sample: { id: string; name: string; connectionId: string }[];
}

export interface Approval {
  id: string;
  /** pending | approved | rejected (open to new states). */
  status: string;
  kind?: string;
  action?: string;
  summary?: string;
  reason?: string;
  subjectType?: string;
  subjectId?: string;
  reasons?: string[];
  payload?: unknown;
  requestedBy?: string | { id?: string; email?: string; name?: string } | null;
  requestedById?: string;
  decidedBy?: string | { id?: string; email?: string; name?: string } | null;
  decisionNote?: string | null;
  note?: string | null;
  createdAt: string;
  decidedAt?: string | null;
  [k: string]: unknown;
}

export interface Exemption {
  id: string;
  status: string;
  guardrail?: { id: string; name: string } | null;
  guardrailId?: string;
  node?: { id: string; name: string } | null;
  nodeId?: string;
  reason: string;
  ownerEmail: string;
  expiresAt: string;
  createdAt?: string;
  approvalId?: string | null;
}

export interface DriftItem {
  id: string;
  kind: string;
  status: "open" | "resolved";
  summary: string;
  lastSeenAt?: string;
  resolvedBy?: string | null;
  connection: { id: string; name: string; cloud: Cloud };
  guardrail: { id: string; name: string } | null;
  node: { id: string; name: string } | null;
  openedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  actor: string | null;
}

export interface DriftDetail extends DriftItem {
  expected: unknown;
  observed: unknown;
  timeline: AuditEvent[];
}

export interface AuditEvent {
  id: string;
  at?: string;
  createdAt?: string;
  action: string;
  actor?: string | { type?: string; id?: string | null; label?: string } | null;
  actorLabel?: string | null;
  actorType?: string;
  targetType?: string | null;
  targetId?: string | null;
  summary?: string | null;
  data?: unknown;
  [k: string]: unknown;
}

export interface CoverageOverview {
  score: number;
  totals: CoverageTotals;
  byCloud: { cloud: Cloud; score: number; totals: CoverageTotals }[];
  byGuardrail: { guardrailId: string; name: string; score: number; totals: CoverageTotals }[];
}

export interface MatrixRow {
  node: { id: string; name: string; externalId: string; connectionId: string; path: string | string[]; parentId?: string | null };
  cells: Record<string, CoverageStatus>;
}

export interface MatrixPage {
  guardrails: { id: string; name: string }[];
  items: MatrixRow[];
  nextCursor: string | null;
  total?: number;
}

export interface Member {
  id: string;
  userId?: string;
  email: string;
  name?: string;
  role: Role;
  createdAt?: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  status?: string;
  expiresAt?: string;
  /** Only in the answer to creating it: the link is a credential and is not listed again. */
  inviteUrl?: string;
  /** Whether the worker was asked to e-mail the link (it still needs SMTP configured to send it). */
  emailQueued?: boolean;
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  start?: string | null;
  prefix?: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt?: string | null;
}

export interface WorkspaceSettings {
  timezone: string;
  reportDay: number;
  reportHour: number;
}
