/**
 * The text form of a behavioural diff (`meshsim diff`): written to read well in a terminal and
 * pasted into a pull-request comment. Only significant changes are listed; `--json` has them all.
 */
import type { CodeChange, FlowDiff, TrafficDiff } from '../expect/diff.ts';
import type { LatencySummaryMs } from '../metrics/summary.ts';

const pct = (share: number): string => `${(Math.round(share * 1000) / 10).toString()} %`;
const pts = (d: number): string => `${d > 0 ? '+' : ''}${d} pts`;
const dest = (d: { destination: string | null; version: string | null }): string => `${d.destination ?? '(no workload)'}${d.version ? ` (${d.version})` : ''}`;

function codeLines(changes: readonly CodeChange[], indent: string): string[] {
  return changes
    .filter((c) => c.significant)
    .map((c) => `${indent}${c.code === '0' ? '000' : c.code}: ${pct(c.base.share)} → ${pct(c.head.share)} (${pts(c.deltaPoints)}; ${c.base.count} → ${c.head.count})`);
}

function latencyLine(name: string, l: { base: LatencySummaryMs | null; head: LatencySummaryMs | null }): string {
  const cell = (k: keyof LatencySummaryMs): string => `${l.base ? l.base[k] : '-'} → ${l.head ? l.head[k] : '-'}`;
  return `  ${name}: p50 ${cell('p50')}, p90 ${cell('p90')}, p99 ${cell('p99')}, mean ${cell('mean')} ms`;
}

/** A p99 change worth a line: at least 1 ms and 10 %. */
function latencyMoved(f: FlowDiff): boolean {
  const b = f.latencyMs.base?.p99;
  const h = f.latencyMs.head?.p99;
  if (b === undefined || h === undefined) return false;
  return Math.abs(h - b) >= Math.max(1, 0.1 * b);
}

export function formatDiff(d: TrafficDiff, title: string): string {
  const out = [title, ''];
  const moved = d.flows.filter((f) => f.status === 'changed' && f.destinations.some((x) => x.significant));
  out.push('Traffic moved');
  if (moved.length === 0) out.push('  (none)');
  for (const f of moved) {
    out.push(`  ${f.source} → ${f.service}: ${f.movedPercent} % of requests moved (${f.baseRequests} → ${f.headRequests} requests)`);
    for (const x of f.destinations) out.push(`    ${dest(x)}: ${pct(x.base.share)} → ${pct(x.head.share)} (${pts(x.deltaPoints)})${x.significant ? '' : ' (within noise)'}`);
  }
  const added = d.flows.filter((f) => f.status === 'added');
  const removed = d.flows.filter((f) => f.status === 'removed');
  out.push('', 'Edges added');
  if (added.length === 0) out.push('  (none)');
  for (const f of added) out.push(`  ${f.source} → ${f.service}: ${f.headRequests} requests (${f.destinations.map((x) => `${dest(x)} ${x.head.count}`).join(', ')})`);
  out.push('', 'Edges removed');
  if (removed.length === 0) out.push('  (none)');
  for (const f of removed) out.push(`  ${f.source} → ${f.service}: had ${f.baseRequests} requests (${f.destinations.map((x) => `${dest(x)} ${x.base.count}`).join(', ')})`);

  const codeChanges: string[] = [];
  for (const c of d.clients) {
    const lines = codeLines(c.codes, '    ');
    if (lines.length > 0) codeChanges.push(`  client ${c.name}`, ...lines);
  }
  for (const f of d.flows) {
    if (f.status === 'added' || f.status === 'removed') continue;
    const lines = [...codeLines(f.codes, '    '), ...codeLines(f.flags, '    flag ')];
    if (lines.length > 0) codeChanges.push(`  ${f.source} → ${f.service}`, ...lines);
  }
  out.push('', 'Codes changed');
  out.push(...(codeChanges.length > 0 ? codeChanges : ['  (none)']));

  out.push('', 'Latency (client end to end, ms: base → head)');
  for (const c of d.clients) out.push(latencyLine(c.name, c.latencyMs));
  const slower = d.flows.filter(latencyMoved);
  if (slower.length > 0) {
    out.push('', 'Edge latency changed (p99 moved by ≥ 10 % and ≥ 1 ms)');
    for (const f of slower) out.push(latencyLine(`${f.source} → ${f.service}`, f.latencyMs));
  }
  return out.join('\n');
}
