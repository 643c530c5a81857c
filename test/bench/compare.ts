/**
 * `npm run bench -- --compare FILE`: every number both runs have, old vs new, flagged when it got
 * worse by more than REGRESSION_THRESHOLD. Which way is worse comes from the key's unit: times
 * (…Ms), memory (…MiB) and ratios go up when worse, rates (…PerSec, …PerCpuSec) go down; counts and targets
 * are not compared. The threshold is above the 25 % this machine drifts between time windows
 * (shared/reference/perf-baseline.md), so a flag means a real change, measured in one run only.
 */
export const REGRESSION_THRESHOLD = 0.3;

export interface ComparisonRow {
  path: string;
  before: number;
  after: number;
  /** after/before for "lower is better", before/after for "higher is better": > 1 is worse. */
  worseBy: number;
  regression: boolean;
}

type Direction = 'lower' | 'higher' | null;

export function directionOf(key: string): Direction {
  // Latencies the model computes (meanLatencyMs, theoryMeanMs) are results, and the offered rate an input, not costs.
  if (/LatencyMs$|^theory|^ratePerSec$/.test(key)) return null;
  if (/(Ms|MiB)$/.test(key) || isRatio(key)) return 'lower';
  if (/Per(Cpu)?Sec$/.test(key)) return 'higher';
  return null;
}

function leaves(value: unknown, path: string, out: Map<string, number>): void {
  if (typeof value === 'number') out.set(path, value);
  else if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
}

/** Keys whose value does not depend on the run's size, so --quick and full runs can be compared on them. */
export function isRatio(key: string): boolean {
  return /^(ratio|cpuRatio|rssRatio|heapAfterGcRatio)$/.test(key);
}

/** `ratiosOnly`: compare only size-independent ratios (one side made with --quick, the other not). */
export function compareResults(before: Record<string, unknown>, after: Record<string, unknown>, threshold = REGRESSION_THRESHOLD, ratiosOnly = false): ComparisonRow[] {
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  leaves(before, '', a);
  leaves(after, '', b);
  const rows: ComparisonRow[] = [];
  for (const [path, now] of b) {
    const was = a.get(path);
    const key = path.slice(path.lastIndexOf('.') + 1);
    const dir = directionOf(key);
    if (ratiosOnly && !isRatio(key)) continue;
    if (was === undefined || dir === null || path.startsWith('machine.') || was <= 0 || now <= 0) continue;
    const worseBy = dir === 'lower' ? now / was : was / now;
    rows.push({ path, before: was, after: now, worseBy, regression: worseBy > 1 + threshold });
  }
  return rows;
}

export function formatComparison(file: string, rows: readonly ComparisonRow[]): string {
  const lines = [`compared with ${file} (flag: worse by more than ${REGRESSION_THRESHOLD * 100}%)`];
  for (const r of rows) {
    const change = r.worseBy >= 1 ? `${((r.worseBy - 1) * 100).toFixed(0)}% worse` : `${((1 / r.worseBy - 1) * 100).toFixed(0)}% better`;
    lines.push(`  ${r.path.padEnd(58)} ${String(r.before).padStart(12)} → ${String(r.after).padStart(12)}  ${change}${r.regression ? '  REGRESSION' : ''}`);
  }
  if (rows.length === 0) lines.push('  (no numbers in common: was the baseline made with the same options, e.g. --quick?)');
  return lines.join('\n') + '\n';
}
