import type { PrismaClient, Tx } from "@parapet/db";
import { getControl } from "../catalog/catalog.ts";
import { CatalogError, parseParams } from "../catalog/compile.ts";
import { AppError, invalidField } from "../common/errors.ts";
import { validateScope } from "../nodes/select-scope.ts";
import type { TScope } from "./guardrails.schema.ts";

/** A control's params checked with the control's own schema; errors name the field (params.x). */
export function checkParams(controlId: string, params: Record<string, unknown>): void {
  const control = getControl(controlId);
  if (!control)
    throw new AppError("validation", `controlId: no control "${controlId.slice(0, 100)}" in the catalog`, [
      { field: "controlId", message: "unknown control" },
    ]);
  try {
    parseParams(control, params);
  } catch (e) {
    if (e instanceof CatalogError) {
      const field = e.path.join(".") || "params";
      throw invalidField(field, e.reason);
    }
    throw e;
  }
}

export async function checkSpec(
  db: PrismaClient | Tx,
  workspaceId: string,
  controlId: string,
  params: Record<string, unknown>,
  scope: TScope,
): Promise<void> {
  checkParams(controlId, params);
  await validateScope(db, workspaceId, scope);
}
