/**
 * Simulated time is an integer number of microseconds (DESIGN.md, Determinism).
 * Durations in YAML use Go/Istio syntax ("1.5s", "100ms", "2m", "1h30m", "250us").
 */

export const US_PER_MS = 1_000;
export const US_PER_S = 1_000_000;

/** Largest duration meshsim accepts anywhere: 100 days. Keeps every sum of times a safe integer. */
export const MAX_DURATION_US = 100 * 24 * 3600 * US_PER_S;

const UNIT_US: Record<string, number> = {
  ns: 0.001,
  us: 1,
  µs: 1,
  ms: US_PER_MS,
  s: US_PER_S,
  m: 60 * US_PER_S,
  h: 3600 * US_PER_S,
};

const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

export type DurationParse = { ok: true; us: number } | { ok: false; error: string };

/**
 * Parses a duration string into integer microseconds (rounded to nearest).
 * Accepts a sequence of number+unit parts like Go's time.ParseDuration ("1m30s"), and a bare
 * number only when `bareUnit` says what it means. Negative, non-finite and absurdly large values are refused.
 */
export function parseDuration(input: unknown, bareUnit?: 'ms' | 's'): DurationParse {
  if (typeof input === 'number') {
    if (!bareUnit) return { ok: false, error: `a number needs a unit here: write "${input}s" or "${input}ms"` };
    return checkRange(input * UNIT_US[bareUnit], String(input));
  }
  if (typeof input !== 'string') return { ok: false, error: 'expected a duration such as "100ms" or "3s"' };
  const text = input.trim();
  if (text === '0') return { ok: true, us: 0 };
  if (text.startsWith('-')) return { ok: false, error: `duration "${input}" is negative; durations must be >= 0` };
  let pos = 0;
  let totalUs = 0;
  while (pos < text.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(text);
    if (!m) {
      return { ok: false, error: `"${input}" is not a duration; use a number with a unit: ns, us, ms, s, m, h (e.g. "250ms", "1m30s")` };
    }
    totalUs += Number(m[1]) * UNIT_US[m[2]];
    pos = DURATION_PART.lastIndex;
  }
  if (pos === 0) return { ok: false, error: `"${input}" is empty; expected a duration such as "3s"` };
  return checkRange(totalUs, input);
}

function checkRange(us: number, shown: string): DurationParse {
  if (!Number.isFinite(us)) return { ok: false, error: `duration "${shown}" is not finite` };
  if (us < 0) return { ok: false, error: `duration "${shown}" is negative; durations must be >= 0` };
  if (us > MAX_DURATION_US) return { ok: false, error: `duration "${shown}" is longer than the 100-day limit` };
  return { ok: true, us: Math.round(us) };
}

/** Formats microseconds for people: "1.5s", "250ms", "12us". */
export function formatDuration(us: number): string {
  if (us === 0) return '0s';
  if (us % US_PER_S === 0) return `${us / US_PER_S}s`;
  if (us >= US_PER_S) return `${trim(us / US_PER_S)}s`;
  if (us % US_PER_MS === 0 || us >= 10 * US_PER_MS) return `${trim(us / US_PER_MS)}ms`;
  return `${us}us`;
}

function trim(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** Milliseconds with three decimals, for summaries (integer arithmetic first so output is stable). */
export function usToMs(us: number): number {
  return Math.round(us) / US_PER_MS;
}
