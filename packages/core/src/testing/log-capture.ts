import { Writable } from "node:stream";

/** One JSON line of the apps' logger (common/logger.ts), as tests read it. */
export interface TLogLine {
  level: string;
  time: string;
  msg: string;
  service?: string;
  err?: { type?: string; message: string; stack?: string; [k: string]: unknown };
  [field: string]: unknown;
}

/**
 * A destination for `createLogger` / `configureLogging` that keeps every line written to it, parsed:
 * tests read the real logger's output (redaction and all), not a mock of it.
 */
export function captureLogLines(): { destination: Writable; lines: TLogLine[] } {
  const lines: TLogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as TLogLine);
      done();
    },
  });
  return { destination, lines };
}
