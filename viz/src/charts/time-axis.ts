/**
 * What the timeline lane and the charts share: one x scale over simulated time, the frame of a
 * small chart (title, axes, a vertical time cursor), and click-to-seek. d3 only; names via .text().
 */
import { axisBottom, axisLeft, pointer, scaleLinear, select, type ScaleLinear, type Selection } from 'd3';

export const CHART = { width: 1000, margin: { left: 64, right: 16, top: 22, bottom: 22 } } as const;

export type TimeScale = ScaleLinear<number, number>;

export function timeScale(endUs: number): TimeScale {
  return scaleLinear()
    .domain([0, Math.max(1, endUs)])
    .range([CHART.margin.left, CHART.width - CHART.margin.right]);
}

export interface ChartFrame {
  svg: Selection<SVGSVGElement, unknown, null, undefined>;
  plot: Selection<SVGGElement, unknown, null, undefined>;
  cursor: SVGLineElement;
  height: number;
}

/** An SVG with a title, a time axis, an optional y axis and a cursor line; clicks seek. */
export function chartFrame(container: HTMLElement, title: string, height: number, x: TimeScale, onSeek: (tUs: number) => void, y?: ScaleLinear<number, number>, yLabel?: string): ChartFrame {
  const svg = select(container)
    .append('svg')
    .attr('class', 'chart')
    .attr('viewBox', `0 0 ${CHART.width} ${height}`)
    .attr('width', CHART.width)
    .attr('height', height);
  svg.append('text').attr('class', 'chart-title').attr('x', CHART.margin.left).attr('y', 14).text(title);
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${height - CHART.margin.bottom})`)
    .call(axisBottom(x).ticks(10).tickFormat((d) => `${Number((Number(d) / 1_000_000).toFixed(2))} s`));
  if (y) {
    svg.append('g').attr('class', 'axis').attr('transform', `translate(${CHART.margin.left},0)`).call(axisLeft(y).ticks(4));
    if (yLabel) svg.append('text').attr('class', 'axis-label').attr('x', 4).attr('y', 14).text(yLabel);
  }
  const plot = svg.append('g').attr('class', 'plot');
  const cursor = svg
    .append('line')
    .attr('class', 'time-cursor')
    .attr('y1', CHART.margin.top - 4)
    .attr('y2', height - CHART.margin.bottom)
    .attr('x1', x(0))
    .attr('x2', x(0))
    .node()!;
  svg.on('click', (ev: MouseEvent) => {
    const [px] = pointer(ev, svg.node());
    if (px >= CHART.margin.left && px <= CHART.width - CHART.margin.right) onSeek(x.invert(px));
  });
  return { svg, plot, cursor, height };
}

export function moveCursor(cursor: SVGLineElement, x: number): void {
  const v = String(Math.round(x * 10) / 10);
  if (cursor.getAttribute('x1') === v) return;
  cursor.setAttribute('x1', v);
  cursor.setAttribute('x2', v);
}
