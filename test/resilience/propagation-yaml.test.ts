/**
 * Config propagation set from scenario YAML (`spec.mesh.propagation`, istio-semantics.md §6.1):
 * istiod's debounce, a per-proxy apply delay, proxy.status events, and what a VirtualService that
 * outruns its DestinationRule does (503 NC, §1.10).
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../sim/config/index.ts';
import type { ProxyStatusEvent, TraceEvent, UpstreamEvent } from '../../sim/trace/events.ts';
import { files, load, MS, run, S, scenarioText } from './timeline-fixture.ts';

const CANARY = '[resilience/canary-platform.yaml, resilience/canary-destination-rule.yaml, resilience/canary-vs-90-10.yaml]';
const TRAFFIC = `  traffic:
    - {name: load, from: loadgen, url: "http://httpbin:8000/get", rate: 90/s}`;

const status = (events: readonly TraceEvent[], version: number, s: 'STALE' | 'SYNCED'): ProxyStatusEvent[] =>
  events.filter((e): e is ProxyStatusEvent => e.kind === 'proxy.status' && e.version === version && e.status === s && e.proxy.startsWith('loadgen'));

describe('spec.mesh.propagation from YAML', () => {
  it('§6.1: default: a weight change is sent to the three loadgen sidecars 100 ms after it (STALE) and each applies it 50–500 ms later at its own time (SYNCED), and only then routes by it', () => {
    const s = load(`  duration: 4s
  mesh: {propagation: default}
${TRAFFIC}
  timeline:
    - {at: 2s, apply: resilience/canary-vs-0-100.yaml}`, CANARY);
    expect(s.propagation).toBe('default');
    const { events } = run(s);
    const stale = status(events, 2, 'STALE');
    const synced = status(events, 2, 'SYNCED');
    expect(stale.map((e) => [e.proxy, e.timeUs])).toEqual([
      ['loadgen-0', 2 * S + 100 * MS],
      ['loadgen-1', 2 * S + 100 * MS],
      ['loadgen-2', 2 * S + 100 * MS],
    ]);
    expect(new Set(synced.map((e) => e.timeUs)).size).toBe(3);
    for (const e of synced) expect(e.timeUs - 2 * S - 100 * MS >= 50 * MS && e.timeUs - 2 * S - 100 * MS <= 500 * MS).toBe(true);
    // Each sidecar sends to v1 until it has version 2 and never after.
    const syncedAt = new Map(synced.map((e) => [e.proxy, e.timeUs]));
    const ups = events.filter((e): e is UpstreamEvent => e.kind === 'upstream');
    for (const u of ups) {
      const t = syncedAt.get(u.sourcePod!)!;
      if (u.startUs >= t) expect(u.version).toBe('v2');
    }
    expect(ups.some((u) => u.version === 'v1' && u.startUs > 2 * S + 100 * MS)).toBe(true);
  });

  it('§6.1: the knobs: debounce 200ms and a fixed 1s push delay put every SYNCED at change + 1.2 s', () => {
    const s = load(`  duration: 4s
  mesh: {propagation: {debounce: 200ms, pushDelayMin: 1s, pushDelayMax: 1s}}
${TRAFFIC}
  timeline:
    - {at: 1s, apply: resilience/canary-vs-50-50.yaml}`, CANARY);
    expect(s.propagation).toEqual({ debounceUs: 200 * MS, debounceMaxUs: 10 * S, pushDelayMinUs: S, pushDelayMaxUs: S });
    const { events } = run(s);
    expect(status(events, 2, 'SYNCED').map((e) => e.timeUs)).toEqual([2_200_000, 2_200_000, 2_200_000]);
  });

  it('§6.1: instant (and no setting) switches every sidecar at the change with no proxy.status; RunOptions.propagation overrides the YAML', () => {
    for (const mesh of ['  mesh: {propagation: instant}', '']) {
      const s = load(`  duration: 2s
${mesh}
${TRAFFIC}
  timeline:
    - {at: 1s, apply: resilience/canary-vs-0-100.yaml}`, CANARY);
      const { events } = run(s);
      expect(events.some((e) => e.kind === 'proxy.status')).toBe(false);
      for (const e of events) if (e.kind === 'config.push' && e.version === 2) expect(e.timeUs).toBe(S);
    }
    const withYaml = load(`  duration: 2s
  mesh: {propagation: default}
${TRAFFIC}
  timeline:
    - {at: 1s, apply: resilience/canary-vs-0-100.yaml}`, CANARY);
    expect(run(withYaml, { propagation: null }).events.some((e) => e.kind === 'proxy.status')).toBe(false);
  });

  it('§6.1: debounceMax below debounce is an error at the field', () => {
    const text = scenarioText('  mesh: {propagation: {debounce: 2s, debounceMax: 1s}}', CANARY);
    const { diagnostics } = parseScenarioText(text, 'sc/t.yaml', files(text));
    expect(diagnostics.filter((d) => d.level === 'error').map((d) => [d.path, d.source?.line, d.source?.col, d.message])).toEqual([
      ['spec.mesh.propagation.debounceMax', 6, 51, 'debounceMax (1000ms) must be >= debounce (2000ms)'],
    ]);
  });
});

describe('§6.1 / §1.10 a VirtualService that outruns its DestinationRule (from YAML, propagation on)', () => {
  // The platform without subsets; the VS naming subsets v1/v2 and the DR defining them arrive 300 ms apart.
  const order = (first: string, second: string) =>
    load(`  duration: 3s
  mesh: {propagation: default}
${TRAFFIC}
  timeline:
    - {at: 1s, apply: ${first}}
    - {at: 1300ms, apply: ${second}}`, '[resilience/canary-platform.yaml]');
  const nc = (events: readonly TraceEvent[]) => events.filter((e): e is UpstreamEvent => e.kind === 'upstream' && e.flags.includes('NC'));

  it('§1.10: VirtualService first: 503 NC from each sidecar exactly while it has the VS (version 2) but not the DR (version 3)', () => {
    const { events } = run(order('resilience/canary-vs-50-50.yaml', 'resilience/canary-destination-rule.yaml'));
    const bad = nc(events);
    expect(bad.length).toBeGreaterThan(0);
    const v2 = new Map(status(events, 2, 'SYNCED').map((e) => [e.proxy, e.timeUs]));
    const v3 = new Map(status(events, 3, 'SYNCED').map((e) => [e.proxy, e.timeUs]));
    for (const u of bad) {
      expect(u.code).toBe(503);
      expect(u.startUs).toBeGreaterThanOrEqual(v2.get(u.sourcePod!)!);
      expect(u.startUs).toBeLessThan(v3.get(u.sourcePod!)!);
    }
  });

  it('§6.1: DestinationRule first: no NC at all', () => {
    const { events, r } = run(order('resilience/canary-destination-rule.yaml', 'resilience/canary-vs-50-50.yaml'));
    expect(nc(events)).toEqual([]);
    expect(r.summary.clients[0].codes).toEqual({ '200': r.summary.clients[0].requests });
  });
});
