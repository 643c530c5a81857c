/**
 * The replay on the page: the player machine driven by requestAnimationFrame, and everything that
 * follows its cursor — edge labels and health colours, requests as moving dots, the timeline lane
 * and charts' cursor, the request list and the inspector. Built once per run from the columnar
 * trace; `destroy()` stops the frame loop before the next run replaces it.
 */
import { createActor } from 'xstate';
import { h } from '../dom.ts';
import type { Layout } from '../layout.ts';
import { buildGraph, edgeLabelLines, formatMs, formatPercent, workloadId, type GraphModel, type Health } from '../model.ts';
import type { RunOutcome } from '../protocol.ts';
import { DotsLayer, type Dot } from '../render-dots.ts';
import { edgeEnds, renderBadges, updateGraphLive, type LiveEdge } from '../render-graph.ts';
import { codesChart, latencyChart, rpsChart } from '../charts/charts.ts';
import { timelineLane } from '../charts/timeline-lane.ts';
import { moveCursor, timeScale } from '../charts/time-axis.ts';
import { requestList, showProxies, showRequest } from '../inspect/inspector-view.ts';
import { tablesAt } from '../inspect/proxy-tables.ts';
import { podsOfWorkload, proxySnapshot } from '../inspect/proxy-state.ts';
import { TraceView, type NumberColumn } from './columnar.ts';
import { buildControls, formatSimTime, SCRUB_STEPS, type Controls, type LabelMode } from './controls.ts';
import { buildInFlightIndex, inFlightAt, type InFlightIndex } from './in-flight.ts';
import { ReplayIndex } from './keyframes.ts';
import { playerMachine } from './player-machine.ts';
import { buildSeries } from './series.ts';

export const MAX_DOTS = 2000;
/** Labels and inspector refresh at most this often while playing (ms of wall time). */
const LIVE_REFRESH_MS = 100;
const INSPECTOR_REFRESH_MS = 500;

export interface ReplayMount {
  outcome: RunOutcome;
  model: GraphModel;
  layout: Layout;
  graph: HTMLElement;
  controls: HTMLElement;
  lanes: HTMLElement;
  inspector: HTMLElement;
}

/** What scripts and tests read through `window.meshsimReplay`. */
export interface ReplaySnapshot {
  state: string;
  timeUs: number;
  endUs: number;
  speed: number;
  /** Requests per graph edge up to the cursor. */
  edgeRequests: Record<string, number>;
  dots: number;
  inFlight: number;
  keyframes: number;
  events: number;
  /** Wall ms to index the trace and draw the lanes (once per run). */
  buildMs: number;
}

export class ReplayView {
  readonly view: TraceView;
  readonly index: ReplayIndex;
  readonly endUs: number;
  readonly windowUs: number;
  private readonly actor;
  private readonly controls: Controls;
  private readonly dots: DotsLayer;
  private readonly inFlight: InFlightIndex;
  private readonly scratch = { buf: new Int32Array(4096) };
  /** Per ReplayIndex edge: its graph edge id and the line its dots travel. */
  private readonly edgeIds: string[];
  private readonly edgeLines: ({ x1: number; y1: number; x2: number; y2: number } | null)[];
  private readonly upReq: NumberColumn;
  private readonly upCode: NumberColumn;
  private readonly upStart: NumberColumn;
  private readonly upEnd: NumberColumn;
  private readonly cursors: { line: SVGLineElement; x: (t: number) => number }[] = [];
  private readonly requestsBox: HTMLElement;
  private frame = 0;
  private lastWall = -1;
  private lastRenderedUs = -1;
  private lastLiveWall = -Infinity;
  private lastInspectorWall = -Infinity;
  private lastMode: LabelMode = 'totals';
  private lastState = '';
  private inspecting: { kind: 'workload'; name: string } | null = null;
  private dragging = false;
  private lastDotCount = 0;
  private lastInFlight = 0;
  private edgeRequests: Record<string, number> = {};
  private readonly buildMs: number;

  constructor(private readonly m: ReplayMount) {
    if (!m.outcome.trace) throw new Error('ReplayView needs a run with its trace');
    const t0 = performance.now();
    this.view = new TraceView(m.outcome.trace);
    this.index = new ReplayIndex(this.view);
    // A truncated trace is a prefix of the run: the replay ends where it does.
    this.endUs = m.outcome.trace.truncated ? this.index.endUs : Math.max(this.index.endUs, Math.round(m.outcome.summary.simulatedMs * 1000));
    this.windowUs = Math.min(60_000_000, Math.max(1_000_000, Math.round(this.endUs / 12)));

    const full = buildGraph({ edges: this.index.edges.map((e) => ({ ...e, requests: 1, codes: {}, flags: {}, latencyMs: { mean: 0, p50: 0, p90: 0, p99: 0, max: 0 } })) }, m.outcome.workloads, m.outcome.clients, m.outcome.services);
    this.edgeIds = full.edgeIdOf;
    this.edgeLines = this.edgeIds.map((id) => {
      const e = full.edges.find((g) => g.id === id);
      return e && e.source !== e.target && m.layout.nodes.has(e.source) && m.layout.nodes.has(e.target) ? edgeEnds(m.layout, e) : null;
    });
    const up = this.view.columns('upstream');
    this.upReq = up.num('req');
    this.upCode = up.num('code');
    this.upStart = up.num('startUs');
    this.upEnd = up.num('timeUs');
    this.inFlight = buildInFlightIndex(this.view);

    this.controls = buildControls(m.controls, this.endUs, this.windowUs);
    this.dots = new DotsLayer(m.graph, m.layout);
    renderBadges(m.graph, m.layout, new Map((m.outcome.badges ?? []).map((b) => [workloadId(b.namespace, b.workload), b.badges])));
    this.requestsBox = h('div', { class: 'requests-box' });
    this.buildLanes();

    this.actor = createActor(playerMachine, { input: { endUs: this.endUs } });
    this.actor.start();
    // Open on the whole run, as the summary shows it; Play starts over from 0.
    this.actor.send({ type: 'END' });
    this.wire();
    this.render(performance.now(), true);
    this.buildMs = performance.now() - t0;
    this.frame = requestAnimationFrame((t) => this.onFrame(t));
  }

  private buildLanes(): void {
    const m = this.m;
    const x = timeScale(this.endUs);
    const seek = (tUs: number) => this.seek(tUs);
    const box = h('div', { class: 'lanes' });
    const names = (id: string) =>
      id
        .split('>')
        .map((n) => n.replace(/^[a-z]+:/, '').replace(/^[^/]*\//, ''))
        .join(' → ');
    m.lanes.replaceChildren(
      h('details', { class: 'requests-panel', open: '' }, h('summary', {}, 'Requests that finished before the cursor (click one for its chain)'), this.requestsBox),
      box,
    );
    m.lanes.hidden = false;
    const series = buildSeries(this.view, this.endUs, 120, this.index.edgeOfRow, this.edgeIds);
    for (const line of [timelineLane(box, this.view, x, seek), latencyChart(box, series, x, seek), codesChart(box, series, x, seek), rpsChart(box, series, x, seek, names)]) this.cursors.push({ line, x: (t) => x(t) });
  }

  private wire(): void {
    const c = this.controls;
    c.play.addEventListener('click', () => {
      const s = this.actor.getSnapshot();
      this.actor.send({ type: s.value === 'playing' ? 'PAUSE' : 'PLAY' });
    });
    c.speed.addEventListener('change', () => this.actor.send({ type: 'SET_SPEED', speed: Number(c.speed.value) }));
    c.scrubber.addEventListener('input', () => {
      this.dragging = true;
      this.seek((Number(c.scrubber.value) / SCRUB_STEPS) * this.endUs);
    });
    c.scrubber.addEventListener('change', () => (this.dragging = false));
    c.labels.addEventListener('change', () => this.render(performance.now(), true));
    this.m.graph.addEventListener('click', (ev) => {
      const node = (ev.target as Element).closest?.('g.node');
      if (node) {
        const name = node.getAttribute('data-node') ?? '';
        this.inspecting = { kind: 'workload', name };
        this.refreshInspector();
        return;
      }
      const dot = this.dots.hit(ev.clientX, ev.clientY);
      if (dot) this.openRequest(this.upReq[dot.row]);
    });
  }

  seek(tUs: number): void {
    this.actor.send({ type: 'SEEK', timeUs: tUs });
    this.render(performance.now(), true);
  }

  openRequest(req: number): void {
    this.inspecting = null;
    showRequest(this.m.inspector, this.view, req, () => this.closeInspector());
  }

  private closeInspector(): void {
    this.inspecting = null;
    this.m.inspector.hidden = true;
    this.m.inspector.replaceChildren();
    delete this.m.inspector.dataset.inspecting;
  }

  private refreshInspector(): void {
    if (!this.inspecting) return;
    const t = this.actor.getSnapshot().context.timeUs;
    const state = this.index.stateAt(t);
    const name = this.inspecting.name;
    const snaps = podsOfWorkload(this.view, this.index, name).map((pod) => proxySnapshot(this.view, this.index, state, pod));
    showProxies(this.m.inspector, name, formatSimTime(t), snaps, () => this.closeInspector(), (pod, version) => tablesAt(this.m.outcome.proxyTables, pod, version));
  }

  private onFrame(wall: number): void {
    const dt = this.lastWall < 0 ? 0 : wall - this.lastWall;
    this.lastWall = wall;
    const s = this.actor.getSnapshot();
    if (s.value === 'playing' || s.value === 'seeking') this.actor.send({ type: 'TICK', wallMs: dt });
    this.render(wall, false);
    this.frame = requestAnimationFrame((t) => this.onFrame(t));
  }

  /** Draws the cursor time; `force` skips the throttles (seeks, pauses, mode changes). */
  render(wall: number, force: boolean): void {
    const snap = this.actor.getSnapshot();
    const t = snap.context.timeUs;
    const state = String(snap.value);
    const mode = this.controls.labels.value as LabelMode;
    const stateChanged = state !== this.lastState;
    if (!force && t === this.lastRenderedUs && !stateChanged && mode === this.lastMode) return;
    const settled = state !== 'playing';
    if (force || stateChanged || settled || mode !== this.lastMode || wall - this.lastLiveWall >= LIVE_REFRESH_MS) {
      this.renderLive(t, mode);
      this.lastLiveWall = wall;
    }
    this.renderDots(t);
    for (const c of this.cursors) moveCursor(c.line, c.x(t));
    const c = this.controls;
    if (!this.dragging) c.scrubber.value = String(Math.round((t / Math.max(1, this.endUs)) * SCRUB_STEPS));
    c.time.textContent = `${formatSimTime(t)} / ${formatSimTime(this.endUs)}`;
    c.play.textContent = state === 'playing' ? 'Pause' : 'Play';
    c.play.setAttribute('aria-label', c.play.textContent);
    c.inFlight.textContent = `${this.lastInFlight} attempt(s) in flight${this.lastInFlight > this.lastDotCount ? `, ${this.lastDotCount} drawn` : ''}${this.view.trace.truncated ? ` · replay holds the first ${this.view.count} events only` : ''}`;
    const root = document.body.dataset;
    root.replayState = state;
    root.replayTimeUs = String(t);
    // The inspector and the request list are DOM-heavy: redrawn on seeks and pauses, and a
    // couple of times per second while playing.
    if (force || stateChanged || settled || wall - this.lastInspectorWall >= INSPECTOR_REFRESH_MS) {
      this.refreshInspector();
      this.requestsBox.replaceChildren(requestList(this.view, t, 25, (req) => this.openRequest(req)));
      this.lastInspectorWall = wall;
    }
    this.lastRenderedUs = t;
    this.lastMode = mode;
    this.lastState = state;
  }

  private renderLive(t: number, mode: LabelMode): void {
    const o = this.m.outcome;
    const cum = this.index.stateAt(t);
    const cumModel = buildGraph({ edges: this.index.edgeSummaries(cum) }, o.workloads, o.clients, o.services);
    this.edgeRequests = Object.fromEntries(cumModel.edges.map((e) => [e.id, e.requests]));
    let shown = cumModel;
    const spanUs = Math.min(this.windowUs, t);
    if (mode === 'rate') shown = buildGraph({ edges: spanUs > 0 ? this.index.edgeSummaries(cum, this.index.stateAt(t - this.windowUs)) : [] }, o.workloads, o.clients, o.services);
    const live = new Map<string, LiveEdge>();
    for (const e of shown.edges) {
      const total = this.edgeRequests[e.id] ?? 0;
      const lines: [string, string] = mode === 'rate' ? [`${(e.requests / (spanUs / 1_000_000)).toFixed(1)} rps · ${formatPercent(e.percent)}`, `p99 ${formatMs(e.p99Ms)}`] : edgeLabelLines(e);
      live.set(e.id, { lines, health: e.health, requests: total, title: `${e.services.join(', ')}: ${total} requests up to ${formatSimTime(t)}; ${mode === 'rate' ? `last ${formatSimTime(spanUs)}: ` : ''}${e.errorPercent.toFixed(2)}% 5xx, ${e.clientErrorPercent.toFixed(2)}% 4xx` });
    }
    const nodeHealth = new Map<string, Health>(shown.nodes.map((n) => [n.id, n.health]));
    updateGraphLive(this.m.graph, live, nodeHealth);
  }

  private renderDots(t: number): void {
    const q = inFlightAt(this.inFlight, t, MAX_DOTS, this.scratch);
    const dots: Dot[] = [];
    for (let i = 0; i < q.count; i++) {
      const r = q.rows[i];
      const line = this.edgeLines[this.index.edgeOfRow[r]];
      if (!line) continue;
      const span = this.upEnd[r] - this.upStart[r];
      const p = span > 0 ? (t - this.upStart[r]) / span : 1;
      const code = this.upCode[r];
      dots.push({ x: line.x1 + (line.x2 - line.x1) * p, y: line.y1 + (line.y2 - line.y1) * p, error: code === 0 || code >= 500, row: r });
    }
    this.dots.draw(dots);
    this.lastDotCount = dots.length;
    this.lastInFlight = q.total;
  }

  snapshot(): ReplaySnapshot {
    const s = this.actor.getSnapshot();
    return { state: String(s.value), timeUs: s.context.timeUs, endUs: this.endUs, speed: s.context.speed, edgeRequests: { ...this.edgeRequests }, dots: this.lastDotCount, inFlight: this.lastInFlight, keyframes: this.index.keyframeCount, events: this.view.count, buildMs: this.buildMs };
  }

  /** Client coordinates of the i-th dot drawn in the last frame, or null. */
  dotPoint(i: number): { x: number; y: number } | null {
    const d = this.dots.current[i];
    return d ? this.dots.clientPoint(d) : null;
  }

  play(): void {
    this.actor.send({ type: 'PLAY' });
  }

  pause(): void {
    this.actor.send({ type: 'PAUSE' });
    this.render(performance.now(), true);
  }

  setSpeed(speed: number): void {
    this.actor.send({ type: 'SET_SPEED', speed });
    this.controls.speed.value = String(this.actor.getSnapshot().context.speed);
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.actor.stop();
    this.dots.canvas.remove();
    this.m.controls.hidden = true;
    this.m.lanes.hidden = true;
    this.closeInspector();
  }
}
