/**
 * The player's controls: play/pause, speed, a scrubber over simulated time, the cursor's time and
 * how edge labels count (totals up to the cursor, or rate over a trailing window). DOM only; the
 * replay view wires them to the player machine.
 */
import { h } from '../dom.ts';

export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 100, 250, 1000] as const;
/** Scrubber resolution: steps over the run (an <input type=range> holds integers). */
export const SCRUB_STEPS = 10_000;

export type LabelMode = 'totals' | 'rate';

export interface Controls {
  root: HTMLElement;
  play: HTMLButtonElement;
  speed: HTMLSelectElement;
  scrubber: HTMLInputElement;
  time: HTMLElement;
  labels: HTMLSelectElement;
  inFlight: HTMLElement;
}

export function formatSimTime(us: number): string {
  return `${(us / 1_000_000).toFixed(3)} s`;
}

export function buildControls(container: HTMLElement, endUs: number, windowUs: number): Controls {
  const play = h('button', { type: 'button', id: 'replay-play', 'aria-label': 'Play' }, 'Play');
  const speed = h('select', { id: 'replay-speed', 'aria-label': 'Playback speed' }, ...SPEEDS.map((s) => h('option', { value: String(s) }, `${s}×`)));
  speed.value = '1';
  const scrubber = h('input', { id: 'replay-scrubber', type: 'range', min: '0', max: String(SCRUB_STEPS), step: '1', value: '0', 'aria-label': 'Simulated time' });
  const time = h('span', { id: 'replay-time', class: 'replay-time' }, `${formatSimTime(0)} / ${formatSimTime(endUs)}`);
  const labels = h(
    'select',
    { id: 'replay-labels', 'aria-label': 'Edge labels' },
    h('option', { value: 'totals' }, 'Edge labels: requests up to the cursor'),
    h('option', { value: 'rate' }, `Edge labels: rate over the last ${(windowUs / 1_000_000).toFixed(windowUs < 10_000_000 ? 1 : 0)} s`),
  );
  const inFlight = h('span', { id: 'replay-in-flight', class: 'replay-in-flight' });
  const root = h('div', { class: 'replay-bar' }, play, h('label', {}, 'Speed ', speed), scrubber, time, labels, inFlight);
  container.replaceChildren(root);
  container.hidden = false;
  return { root, play, speed, scrubber, time, labels, inFlight };
}
