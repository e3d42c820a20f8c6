/** A JSON object (not null, not an array): what cloud answers and artifact bodies are read through. */
export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
