/**
 * `window.meshsim`: a small, stable hook for tests and scripts driving the page (playwright,
 * the browser console). Types only; no DOM, so Node tests can import it.
 */
import type { RunOutcome } from './protocol.ts';

export interface MeshsimAutomation {
  /** Paths of the scenarios bundled into the page, e.g. "scenarios/bookinfo.yaml". */
  scenarios(): string[];
  /** Runs a bundled scenario in the page's Web Worker without touching the UI. */
  runBundled(path: string): Promise<RunOutcome>;
}
