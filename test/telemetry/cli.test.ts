/**
 * `meshsim run` export flags end to end: every file appears whole, nothing is left behind when
 * the run is refused, and the outputs agree with the summary JSON of the same run.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { IstioMetricsFold } from '../../sim/metrics/istio-metrics.ts';
import { writePrometheus } from '../../sim/export/prometheus.ts';
import { inventoryOf } from '../../sim/export/inventory.ts';
import { repoRoot, runMeshsim } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshsim-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --prometheus --jaeger --access-log --fortio --graph', () => {
  it('writes every file atomically and they agree with --json', () => {
    const out = (n: string) => join(dir, n);
    const r = runMeshsim(['run', 'test/telemetry/fixtures/flags.yaml', '--json', '--prometheus', out('m.prom'), '--prometheus-step', '500ms', '--jaeger', out('j.json'), '--access-log', out('a.log'), '--fortio', out('f.json'), '--graph', out('g.json')]);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const attempts = summary.edges.reduce((n: number, e: { requests: number }) => n + e.requests, 0);
    expect(readFileSync(out('a.log'), 'utf8').trimEnd().split('\n')).toHaveLength(attempts);
    expect(JSON.parse(readFileSync(out('j.json'), 'utf8')).data).toHaveLength(summary.clients[0].requests);
    expect(JSON.parse(readFileSync(out('f.json'), 'utf8')).DurationHistogram.Count).toBe(summary.clients[0].requests);
    expect(JSON.parse(readFileSync(out('g.json'), 'utf8')).elements.edges.length).toBeGreaterThan(0);
    const prom = readFileSync(out('m.prom'), 'utf8');
    // 500ms steps over a 1.5 s run: a sample time per step the attempts reached.
    const times = [...new Set([...prom.matchAll(/^istio_requests_total\{.*\} \d+ (\d+)$/gm)].map((m) => Number(m[1])))];
    expect(times.slice(0, 2)).toEqual([500, 1000]);
    expect(times.length).toBe(3);
    // The CLI streams the families into separate files and joins them: the same text as the fold with history.
    const s = loadScenario('test/telemetry/fixtures/flags.yaml', nodeFiles({ cwd: repoRoot }));
    const inv = inventoryOf(s);
    const fold = new IstioMetricsFold({ stepUs: 500_000, workloads: inv.workloads, pods: inv.pods, bodies: inv.bodies });
    runScenario(s, { sinks: [fold] });
    const lines: string[] = [];
    writePrometheus(fold, (l) => lines.push(l));
    expect(prom).toBe(lines.join('\n') + '\n');
  });

  it('refuses a report name that is not .html, the same file twice, and an input file; writes nothing', () => {
    const a = runMeshsim(['run', 'test/telemetry/fixtures/flags.yaml', '--report', join(dir, 'r.txt')]);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain('--report');
    const b = runMeshsim(['run', 'test/telemetry/fixtures/flags.yaml', '--jaeger', join(dir, 'x.json'), '--graph', join(dir, 'x.json')]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain('already the output of --jaeger');
    const c = runMeshsim(['run', 'test/telemetry/fixtures/flags.yaml', '--access-log', 'test/telemetry/fixtures/istio.yaml']);
    expect(c.status).toBe(2);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const d = runMeshsim(['run', 'test/telemetry/fixtures/flags.yaml', '--prometheus', join(dir, 'p.prom'), '--prometheus-step', '0s']);
    expect(d.status).toBe(2);
    expect(existsSync(join(dir, 'p.prom'))).toBe(false);
  });
});
