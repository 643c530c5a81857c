/**
 * The human-readable run summary printed by `meshsim run` (the JSON form is the contract; this is
 * for people): clients, edges between workloads, VirtualService rule hits, expectations.
 */
import type { RunResult } from '../run.ts';
import type { LatencySummaryMs } from '../metrics/summary.ts';

function table(headers: string[], rows: string[][], rightAlign: Set<number>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    '  ' + cells.map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const int = (n: number): string => n.toLocaleString('en-US');
const ms = (v: number): string => v.toFixed(1);
const codes = (c: Record<string, number>): string =>
  Object.entries(c)
    .map(([k, v]) => `${k === '0' ? '000' : k}×${int(v)}`)
    .join(' ');
const lat = (l: LatencySummaryMs): string[] => [ms(l.mean), ms(l.p50), ms(l.p90), ms(l.p99), ms(l.max)];

export function formatSummary(result: RunResult, scenarioFile: string): string {
  const s = result.summary;
  const out: string[] = [];
  out.push(`meshsim run ${scenarioFile} — scenario "${s.scenario}", seed ${s.seed}`);
  out.push(`${int(s.events)} events over ${(s.simulatedMs / 1000).toFixed(3)} s simulated, trace ${s.traceHash}`);
  out.push('');
  out.push('Clients');
  out.push(
    table(
      ['client', 'requests', 'codes', 'mean', 'p50', 'p90', 'p99', 'max ms'],
      s.clients.map((c) => [c.name, int(c.requests), codes(c.codes), ...lat(c.latencyMs)]),
      new Set([1, 3, 4, 5, 6, 7]),
    ),
  );
  out.push('');
  out.push('Edges (attempts as the calling proxy saw them; retries count again)');
  out.push(
    table(
      ['source', 'destination', 'service', 'version', 'requests', 'codes', 'flags', 'mean', 'p99 ms'],
      s.edges.map((e) => [
        e.source,
        e.destination ?? '(none)',
        e.service,
        e.version ?? '-',
        int(e.requests),
        codes(e.codes),
        Object.entries(e.flags)
          .map(([k, v]) => `${k}×${int(v)}`)
          .join(' '),
        ms(e.latencyMs.mean),
        ms(e.latencyMs.p99),
      ]),
      new Set([4, 7, 8]),
    ),
  );
  if (s.rules.length > 0) {
    out.push('');
    out.push('VirtualService rules');
    out.push(table(['virtualService', 'rule', 'name', 'hits'], s.rules.map((r) => [r.virtualService, String(r.rule), r.name || '-', int(r.hits)]), new Set([1, 3])));
  }
  if (s.expectations.length > 0) {
    out.push('');
    out.push('Expectations');
    for (const e of s.expectations) out.push(`  ${e.passed ? 'PASS' : 'FAIL'}  ${e.name}: ${e.detail}`);
  }
  const warnings = s.diagnostics.filter((d) => d.level !== 'info');
  if (warnings.length > 0) {
    out.push('');
    out.push('Diagnostics');
    for (const d of warnings) out.push(`  ${d.source ? d.source + ': ' : ''}${d.level} ${d.code}${d.resource ? ` (${d.resource})` : ''}: ${d.message}`);
  }
  return out.join('\n');
}
