/**
 * The lab-check message between the labs pane and the simulation worker. Plain data only.
 * Paths follow the bundle: the lab at "labs/<name>/", the learner's buffers under
 * "workspace/<name>/" (what `meshsim lab start` copies to .meshsim/labs/<name>/).
 */
import type { RunSummary, Verdict } from '../../../sim/index.ts';

export interface LabCheckRequest {
  id: number;
  kind: 'lab-check';
  /** Folder holding lab.yaml, e.g. "labs/04-traffic-shifting". */
  labDir: string;
  /** Folder holding the learner's files, e.g. "workspace/04-traffic-shifting". */
  workspace: string;
  /** 0-based step to check. */
  step: number;
  /** Every file the check may read (bundled scenarios and labs, the learner's buffers). */
  files: Record<string, string>;
}

export interface LabCheckResult {
  /** 1-based, as the learner sees it. */
  step: number;
  title: string;
  passed: boolean;
  /** Compiler-style `file:line:col: message` lines. */
  diagnostics: string[];
  verdicts: Verdict[];
  hints: string[];
  summary: RunSummary | null;
}

export type LabCheckReply =
  | { id: number; kind: 'lab-check'; result: LabCheckResult }
  | { id: number; kind: 'crash'; message: string };

export function isLabCheckRequest(data: unknown): data is LabCheckRequest {
  return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === 'lab-check';
}
