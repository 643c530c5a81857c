/** Bootcamp labs: format, step checks, hints, progress. Pure; the CLI and the browser supply files. */
export { parseLab, labSchema } from './format.ts';
export type { LabDef, LabStep, LabHint, HintWhen } from './format.ts';
export { checkStep } from './check.ts';
export type { StepCheck, LabPaths, CheckOptions } from './check.ts';
export { diagnosticHints, isLearnerDiagnostic } from './typo-hints.ts';
export { progressMachine, initialProgress, advance, parseProgress, progressText } from './progress.ts';
export type { ProgressRecord } from './progress.ts';
export { lineDiff, compactDiff } from './line-diff.ts';
