export const guardrailKeys = {
  all: ["guardrails"] as const,
  list: (status: string) => ["guardrails", "list", status] as const,
  detail: (id: string) => ["guardrails", "detail", id] as const,
  impact: (id: string) => ["guardrails", "impact", id] as const,
  diff: (id: string, from: number, to: number) => ["guardrails", "diff", id, from, to] as const,
  catalog: ["catalog"] as const,
  control: (id: string) => ["catalog", id] as const,
  compile: (id: string, input: unknown) => ["catalog", id, "compile", input] as const,
  scopePreview: (scope: unknown) => ["scope-preview", scope] as const,
};
