/**
 * Verdicts from tallies: one function per check kind, each saying what it observed, the bound it
 * compared with, and whether that held. Statistical checks (split shares, `== x%`) use the score
 * test of stats.ts at the stated confidence; `tests` > 1 splits the error budget (Bonferroni) when
 * one verdict rests on several buckets.
 */
import type { Comparison, ExpectationCheck } from '../config/types.ts';
import { DEFAULT_CONFIDENCE } from '../config/expectations.ts';
import { msText, percentText } from './format.ts';
import { shareBound, zForConfidence } from './stats.ts';
import type { Tally } from './tally.ts';

export interface Judgement {
  passed: boolean;
  detail: string;
  /** The numbers behind the verdict ("v1": 0.487, "p99Us": 29632, "count": 3 …). */
  observed: Record<string, number>;
}

export function compare(a: number, op: Comparison, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
  }
}

/** Floating-point slack for comparing a share with its bound. */
const EPS = 1e-12;

const noRequests = (what = 'requests'): Judgement => ({ passed: false, detail: `no ${what} in scope, so nothing to judge`, observed: {} });

/** Score test of an observed share against p0 at `confidence`, with `tests` tests sharing the error budget. */
function shareTest(successes: number, n: number, p0: number, confidence: number, tests: number): { ok: boolean; bound: number; observed: number } {
  const z = zForConfidence(1 - (1 - confidence) / Math.max(1, tests));
  const bound = shareBound(p0, n, z);
  const observed = successes / n;
  return { ok: Math.abs(observed - p0) <= bound + EPS, bound, observed };
}

/** "50 % ± 4.8 % at 99.9 %"; a share of 0 % or 100 % has no spread, so it must hold exactly. */
function expectedShare(p0: number, bound: number, confidence: number): string {
  if (bound === 0) return `${percentText(p0)} exactly`;
  return `${percentText(p0)} ± ${percentText(bound)} at ${percentText(confidence)}`;
}

/** A fraction compared with `op`: thresholds compare what happened (Flagger's way); `==` uses the score bound. */
function fractionCheck(label: string, count: number, n: number, op: Comparison, fraction: number, confidence: number, tests: number): Judgement {
  if (n === 0) return noRequests();
  if (op === '==') {
    const t = shareTest(count, n, fraction, confidence, tests);
    return {
      passed: t.ok,
      detail: `${label} observed ${percentText(t.observed)} (${count} of n=${n}), expected ${expectedShare(fraction, t.bound, confidence)}`,
      observed: { fraction: t.observed, count, n },
    };
  }
  const f = count / n;
  return { passed: compare(f, op, fraction), detail: `${label} observed ${percentText(f)} (${count} of n=${n}), expected ${op} ${percentText(fraction)}`, observed: { fraction: f, count, n } };
}

function splitShares(check: Extract<ExpectationCheck, { kind: 'split' }>, t: Tally, tests: number): Judgement {
  const n = t.n;
  if (n === 0) return noRequests();
  // Shares of 0 % or 100 % have no spread: any deviation fails, so they take no part of the error
  // budget. Two free shares move together (one's excess is the other's shortfall): one test.
  const free = Object.values(check.shares).filter((p) => p > 0 && p < 1).length;
  const shareTests = (free <= 2 ? 1 : free) * tests;
  const parts: string[] = [];
  const observed: Record<string, number> = {};
  let passed = true;
  for (const [k, p0] of Object.entries(check.shares)) {
    const s = shareTest(t.byKey.get(k) ?? 0, n, p0, check.confidence, shareTests);
    const bound = Math.max(s.bound, check.tolerance ?? 0);
    const ok = Math.abs(s.observed - p0) <= bound + EPS;
    if (!ok) passed = false;
    observed[k] = s.observed;
    const expected = check.tolerance !== null && check.tolerance >= s.bound ? `${percentText(p0)} ± ${percentText(bound)} (tolerance)` : expectedShare(p0, bound, check.confidence);
    parts.push(`${k}: observed ${percentText(s.observed)} (n=${n}), expected ${expected}${ok ? '' : ' ✗'}`);
  }
  for (const k of [...t.byKey.keys()].filter((k) => !(k in check.shares)).sort()) {
    passed = false;
    observed[k] = t.byKey.get(k)! / n;
    parts.push(`${k}: observed ${percentText(observed[k])} (n=${n}), expected 0 % ✗`);
  }
  const origin = check.origin ? `; weights from ${check.origin}` : '';
  return { passed, detail: `${parts.join('; ')}${origin}`, observed };
}

function splitCounts(check: Extract<ExpectationCheck, { kind: 'splitCounts' }>, t: Tally): Judgement {
  const parts: string[] = [];
  const observed: Record<string, number> = {};
  let passed = true;
  const keys = [...Object.keys(check.counts), ...[...t.byKey.keys()].filter((k) => !(k in check.counts)).sort()];
  for (const k of keys) {
    const want = check.counts[k] ?? 0;
    const got = t.byKey.get(k) ?? 0;
    observed[k] = got;
    const ok = got === want;
    if (!ok) passed = false;
    parts.push(`${k}: observed ${got}, expected ${want}${ok ? '' : ' ✗'}`);
  }
  return { passed, detail: `${parts.join('; ')} (n=${t.n}; exact counts hold for this seed only)`, observed };
}

function latency(check: Extract<ExpectationCheck, { kind: 'latency' }>, t: Tally): Judgement {
  const h = t.latency;
  if (!h || h.count === 0) return noRequests();
  const mean = check.statistic === 'mean';
  const value = mean ? h.meanUs() : check.percentile === 100 ? h.maxUs : h.percentileUs(check.percentile);
  const label = mean ? 'mean' : check.percentile === 100 ? 'max' : `p${check.percentile}`;
  return {
    passed: compare(value, check.op, check.valueUs),
    detail: `${label} observed ${msText(value)}, expected ${check.op} ${msText(check.valueUs)} (n=${h.count})`,
    observed: { [`${label}Us`]: value, n: h.count },
  };
}

function neverReaches(check: Extract<ExpectationCheck, { kind: 'neverReaches' }>, t: Tally): Judgement {
  const observed: Record<string, number> = {};
  const parts: string[] = [];
  let passed = true;
  for (const w of check.workloads) {
    const hits = t.byKey.get(w) ?? 0;
    observed[w] = hits;
    if (hits > 0) {
      passed = false;
      parts.push(`${w} reached ${hits} time${hits === 1 ? '' : 's'} (first attempt started at ${msText(t.firstUs.get(w)!)}), expected 0 ✗`);
    } else parts.push(`${w} reached 0 times`);
  }
  return { passed, detail: `${parts.join('; ')} (n=${t.n} attempts in scope)`, observed };
}

export function judge(check: ExpectationCheck, t: Tally, tests = 1): Judgement {
  switch (check.kind) {
    case 'split':
      return splitShares(check, t, tests);
    case 'splitCounts':
      return splitCounts(check, t);
    case 'latency':
      return latency(check, t);
    case 'code': {
      const count = t.countOf(check.code);
      if (check.fraction !== null) return fractionCheck(check.code, count, t.n, check.op, check.fraction, check.confidence ?? DEFAULT_CONFIDENCE, tests);
      return { passed: compare(count, check.op, check.count!), detail: `${check.code} observed ${count} of n=${t.n}, expected ${check.op} ${check.count}`, observed: { count, n: t.n } };
    }
    case 'errorRate':
      return fractionCheck('error rate (5xx or no answer)', t.fiveXx() + t.noAnswer(), t.n, check.op, check.fraction, check.confidence ?? DEFAULT_CONFIDENCE, tests);
    case 'successRate':
      return fractionCheck('success rate (non-5xx)', t.n - t.fiveXx(), t.n, check.op, check.fraction, check.confidence ?? DEFAULT_CONFIDENCE, tests);
    case 'requests':
      return { passed: compare(t.n, check.op, check.count), detail: `requests observed ${t.n}, expected ${check.op} ${check.count}`, observed: { count: t.n } };
    case 'neverReaches':
      return neverReaches(check, t);
    case 'retries':
      if (check.fraction !== null) return fractionCheck('retries', t.retries, t.n, check.op, check.fraction, check.confidence ?? DEFAULT_CONFIDENCE, tests);
      return {
        passed: compare(t.retries, check.op, check.count!),
        detail: `retries observed ${t.retries} (of n=${t.n} attempts), expected ${check.op} ${check.count}`,
        observed: { count: t.retries, n: t.n },
      };
    case 'ejections':
      return { passed: compare(t.n, check.op, check.count), detail: `ejections observed ${t.n}, expected ${check.op} ${check.count}`, observed: { count: t.n } };
    case 'proxyConfig':
      // Judged by ProxyConfigFold; a tally never carries proxy state.
      return { passed: false, detail: 'proxyConfig is not judged from requests', observed: {} };
  }
}
