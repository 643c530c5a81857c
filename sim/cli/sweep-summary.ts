/**
 * The combined summary of a sweep: per parameter variant, how many runs passed, per expectation
 * its pass count and the distribution (min / p50 / max) of each observed number across runs, and
 * per client the distribution of its success rate. Runs are taken in job order, so the summary
 * does not depend on which worker finished first.
 */
import type { JobResult } from './sweep-worker.ts';

export const SWEEP_FORMAT = 1;

export interface Spread {
  min: number;
  p50: number;
  max: number;
}

export interface VariantSummary {
  /** "path=value …", "" without --param. */
  params: string;
  runs: number;
  passed: number;
  failed: number;
  /** Runs that were invalid, stopped by a budget, or hit an internal error. */
  broken: number;
  expectations: { name: string; passed: number; runs: number; observed: Record<string, Spread> }[];
  clients: { name: string; runs: number; successRate: Spread | null }[];
}

/** Nearest-rank percentile of a non-empty list. */
export function spreadOf(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return { min: s[0], p50: s[Math.max(0, Math.ceil(0.5 * s.length) - 1)], max: s[s.length - 1] };
}

export function summarize(results: readonly JobResult[]): VariantSummary[] {
  const byVariant = new Map<string, JobResult[]>();
  for (const r of results) {
    const list = byVariant.get(r.params);
    if (list) list.push(r);
    else byVariant.set(r.params, [r]);
  }
  return [...byVariant].map(([params, runs]) => {
    const expectations = new Map<string, { passed: number; runs: number; observed: Map<string, number[]> }>();
    const clients = new Map<string, number[]>();
    const clientRuns = new Map<string, number>();
    for (const r of runs) {
      for (const e of r.expectations) {
        let agg = expectations.get(e.name);
        if (!agg) expectations.set(e.name, (agg = { passed: 0, runs: 0, observed: new Map() }));
        agg.runs++;
        if (e.passed) agg.passed++;
        for (const [k, v] of Object.entries(e.observed)) {
          if (!Number.isFinite(v)) continue;
          const list = agg.observed.get(k);
          if (list) list.push(v);
          else agg.observed.set(k, [v]);
        }
      }
      for (const c of r.clients) {
        clientRuns.set(c.name, (clientRuns.get(c.name) ?? 0) + 1);
        if (!clients.has(c.name)) clients.set(c.name, []);
        if (c.successRate !== null) clients.get(c.name)!.push(c.successRate);
      }
    }
    return {
      params,
      runs: runs.length,
      passed: runs.filter((r) => r.status === 'passed').length,
      failed: runs.filter((r) => r.status === 'failed').length,
      broken: runs.filter((r) => r.status !== 'passed' && r.status !== 'failed').length,
      expectations: [...expectations].map(([name, a]) => ({ name, passed: a.passed, runs: a.runs, observed: Object.fromEntries([...a.observed].map(([k, v]) => [k, spreadOf(v)])) })),
      clients: [...clients].map(([name, rates]) => ({ name, runs: clientRuns.get(name) ?? 0, successRate: rates.length > 0 ? spreadOf(rates) : null })),
    };
  });
}

function num(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3);
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function formatSweep(file: string, results: readonly JobResult[], variants: readonly VariantSummary[], replay: (r: JobResult) => string): string {
  const lines: string[] = [];
  for (const v of variants) {
    lines.push(`${file}${v.params ? `  [${v.params}]` : ''}: ${v.runs} run${v.runs === 1 ? '' : 's'}, ${v.passed} passed, ${v.failed} failed${v.broken ? `, ${v.broken} invalid or stopped` : ''}`);
    for (const e of v.expectations) {
      const obs = Object.entries(e.observed).map(([k, s]) => `${k} ${num(s.min)} / ${num(s.p50)} / ${num(s.max)}`);
      lines.push(`  ${e.passed === e.runs ? 'PASS' : 'FAIL'}  ${e.name}: ${e.passed}/${e.runs} passed${obs.length ? `; min / p50 / max: ${obs.join(', ')}` : ''}`);
    }
    for (const c of v.clients) {
      const s = c.successRate;
      lines.push(`  client ${c.name}: success rate (2xx/3xx) ${s ? `${pct(s.min)} / ${pct(s.p50)} / ${pct(s.max)} (min / p50 / max)` : 'no requests'}`);
    }
  }
  const bad = results.filter((r) => r.status !== 'passed');
  if (bad.length > 0) {
    lines.push(`not passed (${bad.length}):`);
    for (const r of bad.slice(0, 20)) lines.push(`  ${r.status.padEnd(7)} seed ${r.seed}${r.params ? ` [${r.params}]` : ''}: ${r.status === 'invalid' || r.status === 'error' ? (r.message ?? '').split('\n')[0] : replay(r)}`);
    if (bad.length > 20) lines.push(`  … and ${bad.length - 20} more (see --json)`);
  }
  return lines.join('\n') + '\n';
}

export function sweepJson(file: string, shard: string | null, results: readonly JobResult[], variants: readonly VariantSummary[]): string {
  return JSON.stringify({ format: SWEEP_FORMAT, scenario: file, shard, summary: variants, runs: results }, null, 2) + '\n';
}
