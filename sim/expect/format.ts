/**
 * How verdicts print numbers: "48.7 %", "29.632 ms", "35s". One place, so every detail line reads
 * the same and tests can match them.
 */

/** A fraction as a percentage with one decimal ("48.7 %", "50 %"); two decimals below 1 % so small shares do not print as 0. */
export function percentText(fraction: number): string {
  const p = fraction * 100;
  const digits = p !== 0 && Math.abs(p) < 1 ? 2 : 1;
  const text = p.toFixed(digits).replace(/\.?0+$/, '');
  return `${text === '-0' ? '0' : text} %`;
}

/** Microseconds as milliseconds, to the microsecond ("29.632 ms"). */
export function msText(us: number): string {
  return `${Math.round(us) / 1000} ms`;
}

/** Microseconds as seconds ("35s", "2.5s"), for times on the simulated clock. */
export function secondsText(us: number): string {
  return `${Math.round(us / 1000) / 1000}s`;
}
