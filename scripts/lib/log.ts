export const log = (m: string) => console.log(`\x1b[36mparapet\x1b[0m ${m}`);

/** Stops with one clear line (no stack trace). */
export function fail(message: string): never {
  console.error(`\x1b[31mparapet\x1b[0m ${message}`);
  process.exit(2);
}
