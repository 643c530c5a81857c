/**
 * A duration distribution as written in a scenario (`2ms`, or `{distribution: lognormal, median,
 * p99}` …) → the resolved Distribution the samplers draw from (sim/engine/sample.ts), with each
 * problem reported at its field.
 */
import { parseDuration } from '../domain/time.ts';
import type { DistributionInput, SpecInput } from './scenario-schema.ts';
import type { Distribution, SidecarLatency } from './types.ts';
import type { PathSeg } from './yaml-source.ts';

/** What the resolver needs from the scenario it belongs to. */
export interface DistributionHost {
  intact(path: PathSeg[]): boolean;
  error(path: PathSeg[] | null, message: string): void;
}

export function resolveDistribution(input: DistributionInput, path: PathSeg[], h: DistributionHost): Distribution | null {
  if (!h.intact(path)) return null;
  const dur = (v: unknown, sub: string): number | null => {
    const p = typeof input === 'string' ? path : [...path, sub];
    const d = parseDuration(v);
    if (!d.ok) {
      h.error(p, d.error);
      return null;
    }
    return d.us;
  };
  if (typeof input === 'string') {
    const v = dur(input, '');
    return v === null ? null : { kind: 'constant', valueUs: v };
  }
  switch (input.distribution) {
    case 'constant': {
      const v = dur(input.value, 'value');
      return v === null ? null : { kind: 'constant', valueUs: v };
    }
    case 'uniform': {
      const min = dur(input.min, 'min');
      const max = dur(input.max, 'max');
      if (min === null || max === null) return null;
      if (max < min) {
        h.error([...path, 'max'], `uniform max (${input.max}) must be >= min (${input.min})`);
        return null;
      }
      return { kind: 'uniform', minUs: min, maxUs: max };
    }
    case 'exponential': {
      const mean = dur(input.mean, 'mean');
      if (mean === null) return null;
      if (mean <= 0) {
        h.error([...path, 'mean'], 'exponential mean must be > 0 (use a constant 0s for no delay)');
        return null;
      }
      return { kind: 'exponential', meanUs: mean };
    }
    case 'lognormal': {
      const median = dur(input.median, 'median');
      const p99 = dur(input.p99, 'p99');
      if (median === null || p99 === null) return null;
      if (median <= 0) {
        h.error([...path, 'median'], 'lognormal median must be > 0');
        return null;
      }
      if (p99 <= median) {
        h.error([...path, 'p99'], `lognormal p99 (${input.p99}) must be greater than the median (${input.median}); for a fixed time use a constant`);
        return null;
      }
      return { kind: 'lognormal', medianUs: median, p99Us: p99 };
    }
    case 'empirical': {
      const upperUs: number[] = [];
      const weights: number[] = [];
      let okAll = true;
      input.buckets.forEach((b, i) => {
        const d = parseDuration(b.le);
        if (!d.ok) {
          h.error([...path, 'buckets', i, 'le'], d.error);
          okAll = false;
          return;
        }
        if (upperUs.length > 0 && d.us <= upperUs[upperUs.length - 1]) {
          h.error([...path, 'buckets', i, 'le'], `bucket bounds must increase: ${b.le} is not above the previous bucket`);
          okAll = false;
        }
        upperUs.push(d.us);
        weights.push(b.weight);
      });
      if (okAll && weights.reduce((a, b) => a + b, 0) <= 0) {
        h.error([...path, 'buckets'], 'at least one bucket needs a weight > 0');
        okAll = false;
      }
      return okAll ? { kind: 'empirical', upperUs, weights } : null;
    }
  }
}

/** `spec.sidecar`'s three latencies over `defaults`; a field with a problem keeps its default. */
export function resolveSidecarLatency(sidecar: SpecInput['sidecar'], defaults: SidecarLatency, h: DistributionHost): SidecarLatency {
  const l = { ...defaults };
  if (!sidecar) return l;
  const at = (field: string): PathSeg[] => ['spec', 'sidecar', field];
  if (sidecar.outboundLatency !== undefined) l.outbound = resolveDistribution(sidecar.outboundLatency, at('outboundLatency'), h) ?? l.outbound;
  if (sidecar.inboundLatency !== undefined) l.inbound = resolveDistribution(sidecar.inboundLatency, at('inboundLatency'), h) ?? l.inbound;
  if (sidecar.networkLatency !== undefined) l.network = resolveDistribution(sidecar.networkLatency, at('networkLatency'), h) ?? l.network;
  return l;
}
