// Prisma 6.19's WASM schema engine leaves 10 s and 60 s timers pending, so the CLI lingers for a
// minute after `migrate` finishes. Unref long timers so the process exits as soon as it is done.
const original = global.setTimeout;
global.setTimeout = function (fn, ms, ...args) {
  const t = original.call(this, fn, ms, ...args);
  if (ms >= 5000 && t && typeof t.unref === "function") t.unref();
  return t;
};
