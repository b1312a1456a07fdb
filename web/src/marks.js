// Performance marks of the steps from page open to the first decoded
// frame, named `p2pcam:STEP` (performance.getEntriesByType('mark')), so
// that a bench or a person in the browser's Performance panel sees
// where the time goes. Marks are cheap; where the Performance API is
// missing they are skipped.

/** mark records `p2pcam:name` at the current time, or at `at` (ms on
 * the performance clock) for a step that happened a moment earlier. */
export function mark(name, at) {
  try { globalThis.performance?.mark?.('p2pcam:' + name, at == null ? undefined : { startTime: at }); } catch { /* no Performance API */ }
}
