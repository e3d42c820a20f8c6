import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { dirname } from "node:path";

/** Loads JSON state if the file exists. */
export function loadState<T>(file: string | undefined): T | undefined {
  if (!file || !existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/**
 * Debounced, atomic (write + rename) JSON persistence, so a killed simulator never leaves a torn file.
 */
export class Persister {
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly file: string | undefined,
    private readonly snapshot: () => unknown,
    private readonly debounceMs = 200,
  ) {}

  schedule(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.debounceMs);
  }

  flush(): void {
    if (!this.file) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.snapshot()));
    renameSync(tmp, this.file);
  }
}
