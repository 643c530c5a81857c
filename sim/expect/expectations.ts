/**
 * Expectations as streaming folds: each one watches the events in its scope while the run goes,
 * then gives a verdict with the observed value, the bound and the reason.
 */
import type { Comparison, ExpectationSpec } from '../config/types.ts';
import { LatencyHistogram } from '../metrics/histogram.ts';
import type { TraceEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';
import { shareBound, zForConfidence } from './stats.ts';

export interface Verdict {
  name: string;
  passed: boolean;
  detail: string;
}

const pct = (x: number): string => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
const ms = (us: number): string => `${Math.round(us) / 1000}ms`;

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

class ExpectationFold {
  n = 0;
  readonly byKey = new Map<string, number>();
  readonly latency = new LatencyHistogram();
  errors = 0;
  constructor(
    readonly spec: ExpectationSpec,
    /** Source name of each client's first hop, for client-scoped splits without an edge. */
    private readonly clientSource: ReadonlyMap<string, string>,
  ) {}

  private usesEdgeEvents(): boolean {
    return this.spec.scope.edge !== undefined || this.spec.check.kind === 'split';
  }

  observe(ev: TraceEvent): void {
    const { scope, check } = this.spec;
    if (this.usesEdgeEvents()) {
      if (ev.kind !== 'upstream') return;
      if (scope.client !== undefined && ev.client !== scope.client) return;
      const edge = scope.edge;
      if (edge) {
        if (edge.from !== undefined && ev.source !== edge.from) return;
        if (edge.service !== undefined && ev.service !== edge.service) return;
        if (edge.to !== undefined && ev.destination !== edge.to) return;
      } else if (scope.client !== undefined && ev.source !== this.clientSource.get(scope.client)) {
        return;
      }
      if (scope.window && (ev.startUs < scope.window.fromUs || ev.startUs >= scope.window.toUs)) return;
      this.count(ev.code, ev.timeUs - ev.startUs, check.kind === 'split' ? (check.by === 'version' ? ev.version : ev.destination) : null, ev.flags);
    } else {
      if (ev.kind !== 'client.end') return;
      if (scope.client !== undefined && ev.client !== scope.client) return;
      const startUs = ev.timeUs - ev.latencyUs;
      if (scope.window && (startUs < scope.window.fromUs || startUs >= scope.window.toUs)) return;
      this.count(ev.code, ev.latencyUs, null, ev.flags);
    }
  }

  private count(code: number, latencyUs: number, splitKey: string | null, flags: string): void {
    this.n++;
    this.latency.record(latencyUs);
    if (code === 0 || code >= 500) this.errors++;
    const check = this.spec.check;
    if (check.kind === 'split') {
      const k = splitKey ?? '(none)';
      this.byKey.set(k, (this.byKey.get(k) ?? 0) + 1);
    } else if (check.kind === 'code') {
      if (String(code) === check.code || flags.split(',').includes(check.code)) this.byKey.set(check.code, (this.byKey.get(check.code) ?? 0) + 1);
    }
  }

  verdict(): Verdict {
    const { name, check } = this.spec;
    const n = this.n;
    const scope = `n=${n}`;
    switch (check.kind) {
      case 'split': {
        if (n === 0) return { name, passed: false, detail: 'no requests in scope, so no split to check' };
        const keys = Object.keys(check.shares);
        // Bonferroni: the whole split holds at `confidence` when each share is tested at 1 − α/k.
        const z = zForConfidence(1 - (1 - check.confidence) / Math.max(1, keys.length));
        const parts: string[] = [];
        let passed = true;
        for (const k of keys) {
          const p0 = check.shares[k];
          const observed = (this.byKey.get(k) ?? 0) / n;
          const bound = Math.max(shareBound(p0, n, z), check.tolerance ?? 0);
          const ok = Math.abs(observed - p0) <= bound + 1e-12;
          if (!ok) passed = false;
          parts.push(`${k} observed ${pct(observed)} expected ${pct(p0)} ± ${pct(bound)}${ok ? '' : ' ✗'}`);
        }
        const others = [...this.byKey.keys()].filter((k) => !(k in check.shares)).sort();
        for (const k of others) {
          passed = false;
          parts.push(`${k} observed ${pct(this.byKey.get(k)! / n)} expected 0% ✗`);
        }
        return { name, passed, detail: `${parts.join('; ')} (${scope}, ${pct(check.confidence)} confidence)` };
      }
      case 'latency': {
        if (n === 0) return { name, passed: false, detail: 'no requests in scope' };
        const mean = check.statistic === 'mean';
        const value = mean ? this.latency.meanUs() : check.percentile === 100 ? this.latency.maxUs : this.latency.percentileUs(check.percentile);
        const label = mean ? 'mean' : check.percentile === 100 ? 'max' : `p${check.percentile}`;
        const passed = compare(value, check.op, check.valueUs);
        return { name, passed, detail: `${label} observed ${ms(value)}, expected ${check.op} ${ms(check.valueUs)} (${scope})` };
      }
      case 'code': {
        const count = this.byKey.get(check.code) ?? 0;
        if (check.fraction !== null) {
          if (n === 0) return { name, passed: false, detail: 'no requests in scope' };
          const f = count / n;
          return { name, passed: compare(f, check.op, check.fraction), detail: `${check.code} observed ${pct(f)} (${count}/${n}), expected ${check.op} ${pct(check.fraction)}` };
        }
        return { name, passed: compare(count, check.op, check.count!), detail: `${check.code} observed ${count} of ${n}, expected ${check.op} ${check.count}` };
      }
      case 'errorRate':
      case 'successRate': {
        if (n === 0) return { name, passed: false, detail: 'no requests in scope' };
        const f = check.kind === 'errorRate' ? this.errors / n : 1 - this.errors / n;
        return { name, passed: compare(f, check.op, check.fraction), detail: `${check.kind === 'errorRate' ? 'error rate' : 'success rate'} observed ${pct(f)} (${scope}), expected ${check.op} ${pct(check.fraction)}` };
      }
      case 'requests':
        return { name, passed: compare(n, check.op, check.count), detail: `requests observed ${n}, expected ${check.op} ${check.count}` };
    }
  }
}

export class ExpectationsFold implements TraceSink {
  private readonly folds: ExpectationFold[];
  constructor(specs: readonly ExpectationSpec[], clientSource: ReadonlyMap<string, string>) {
    this.folds = specs.map((s) => new ExpectationFold(s, clientSource));
  }
  write(ev: TraceEvent): void {
    for (let i = 0; i < this.folds.length; i++) this.folds[i].observe(ev);
  }
  verdicts(): Verdict[] {
    return this.folds.map((f) => f.verdict());
  }
}
