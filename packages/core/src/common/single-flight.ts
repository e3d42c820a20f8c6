/**
 * Concurrent callers asking for the same key share one computation instead of each starting their
 * own. Nothing is kept after it settles, so a caller that arrives later always gets a fresh result:
 * this trades no freshness for the dashboard's worst case — many people (or one busy wall screen)
 * opening the overview at once, each of which would otherwise aggregate every coverage cell.
 */
export function singleFlight<A extends unknown[], V>(
  keyOf: (...args: A) => string,
  compute: (...args: A) => Promise<V>,
): (...args: A) => Promise<V> {
  const inFlight = new Map<string, Promise<V>>();
  return (...args: A) => {
    const key = keyOf(...args);
    const running = inFlight.get(key);
    if (running) return running;
    const p = compute(...args).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  };
}
