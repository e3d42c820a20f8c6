import { runCli } from "./commands.ts";

// Entry point: `pnpm exec tsx packages/core/src/cli/main.ts <command> …`.
const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
});
process.exitCode = code;
