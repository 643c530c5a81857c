/**
 * The timeline lane: one row each for config (timeline actions, config pushes), pods (lifecycle
 * states, kills, crashes), outlier detection (ejections, returns) and proxy sync status, on the
 * charts' time scale. Events that land on the same pixel share one marker whose tooltip lists
 * them, so a push to 200 proxies stays one tick.
 */
import type { TraceView } from '../replay/columnar.ts';
import { CHART, chartFrame, type TimeScale } from './time-axis.ts';

const ROWS = [
  { id: 'config', label: 'config', kinds: ['timeline', 'config.push'] },
  { id: 'pods', label: 'pods', kinds: ['pod.state'] },
  { id: 'outlier', label: 'outlier', kinds: ['outlier.eject', 'outlier.uneject', 'outlier.suppressed'] },
  { id: 'proxy', label: 'proxy sync', kinds: ['proxy.status'] },
] as const;
const ROW_HEIGHT = 18;
const MAX_TITLE_LINES = 8;

export interface LaneMarker {
  row: string;
  px: number;
  timeUs: number;
  kinds: string[];
  lines: string[];
  count: number;
}

function describe(e: Record<string, string | number | null>): string {
  const t = `${((e.timeUs as number) / 1_000_000).toFixed(3)} s`;
  switch (e.kind) {
    case 'timeline':
      return `${t} timeline ${e.action}: ${e.label}`;
    case 'config.push':
      return `${t} config v${e.version} pushed to ${e.proxy}`;
    case 'pod.state':
      return `${t} pod ${e.pod} ${e.state}${Number(e.restarts) > 0 ? ` (restarts ${e.restarts})` : ''}`;
    case 'outlier.eject':
      return `${t} ${e.proxy} ejected ${e.host} from ${e.cluster} (${e.consecutive} consecutive ${e.reason}, ${Number(e.ejectionUs) / 1000} ms)`;
    case 'outlier.uneject':
      return `${t} ${e.proxy} returned ${e.host} to ${e.cluster}`;
    case 'outlier.suppressed':
      return `${t} ${e.proxy} kept ${e.host} in ${e.cluster} (max ejection %: ${e.ejected}/${e.hosts} out)`;
    case 'proxy.status':
      return `${t} ${e.proxy} ${e.status} v${e.version}`;
    default:
      return `${t} ${e.kind}`;
  }
}

/** Markers per row, merged per pixel column. Pure (no DOM), so it can be checked in Node. */
export function laneMarkers(view: TraceView, x: TimeScale): LaneMarker[] {
  const rowOfKind = new Map<number, string>();
  for (const r of ROWS) for (const k of r.kinds) if (view.kindId(k) >= 0) rowOfKind.set(view.kindId(k), r.id);
  const byPixel = new Map<string, LaneMarker>();
  const t = view.trace;
  for (let i = 0; i < t.count; i++) {
    const row = rowOfKind.get(t.kindOf[i]);
    if (row === undefined) continue;
    const px = Math.round(x(t.timeUs[i]));
    const key = `${row}@${px}`;
    let m = byPixel.get(key);
    if (!m) byPixel.set(key, (m = { row, px, timeUs: t.timeUs[i], kinds: [], lines: [], count: 0 }));
    m.count++;
    const kind = view.kindName(i);
    if (!m.kinds.includes(kind)) m.kinds.push(kind);
    if (m.lines.length < MAX_TITLE_LINES) m.lines.push(describe(view.event(i)));
  }
  return [...byPixel.values()];
}

export function timelineLane(container: HTMLElement, view: TraceView, x: TimeScale, onSeek: (tUs: number) => void): SVGLineElement {
  const height = CHART.margin.top + ROWS.length * ROW_HEIGHT + CHART.margin.bottom;
  const f = chartFrame(container, 'Timeline: config changes, pods, outlier ejections, proxy sync', height, x, onSeek);
  f.svg.attr('data-testid', 'timeline-lane');
  ROWS.forEach((r, i) => {
    const y = CHART.margin.top + i * ROW_HEIGHT;
    f.plot.append('line').attr('class', 'lane-rule').attr('x1', CHART.margin.left).attr('x2', CHART.width - CHART.margin.right).attr('y1', y + ROW_HEIGHT / 2).attr('y2', y + ROW_HEIGHT / 2);
    f.plot.append('text').attr('class', 'lane-label').attr('x', CHART.margin.left - 6).attr('y', y + ROW_HEIGHT / 2 + 4).attr('text-anchor', 'end').text(r.label);
  });
  const rowIndex = new Map<string, number>(ROWS.map((r, i) => [r.id, i]));
  const markers = laneMarkers(view, x);
  f.plot
    .selectAll('rect.marker')
    .data(markers)
    .join('rect')
    .attr('class', (m) => `marker row-${m.row} ${m.kinds.map((k) => `kind-${k.replace('.', '-')}`).join(' ')}`)
    .attr('x', (m) => m.px - 1.5)
    .attr('y', (m) => CHART.margin.top + rowIndex.get(m.row)! * ROW_HEIGHT + 3)
    .attr('width', 3)
    .attr('height', ROW_HEIGHT - 6)
    .append('title')
    .text((m) => m.lines.join('\n') + (m.count > m.lines.length ? `\n… and ${m.count - m.lines.length} more` : ''));
  return f.cursor;
}
