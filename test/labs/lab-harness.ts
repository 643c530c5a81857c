/**
 * Checks a lab step against files a test writes in memory (a learner's workspace), with the lab
 * itself read from disk: the shared helper of the per-topic lab tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { checkStep, memoryFiles, parseLab, type FileSource, type LabDef, type StepCheck } from '../../sim/index.ts';

export const LABS = join(import.meta.dirname, '..', '..', 'labs');
/** The in-memory workspace folder; hints name files under it. */
export const WS = '/ws';

export function loadLab(id: string): LabDef {
  const file = join(LABS, id, 'lab.yaml');
  const { lab } = parseLab(readFileSync(file, 'utf8'), file);
  if (!lab) throw new Error(`${file} does not load`);
  return lab;
}

/** A learner file as handed out (`start`), or the answer of a step (`solution`, per step when the lab has one). */
export function labFile(id: string, which: 'start' | 'solution', name: string, step?: number): string {
  const perStep = step === undefined ? null : join(LABS, id, 'solution', `step-${step}`, name);
  const path = which === 'start' ? join(LABS, id, 'start', name) : perStep && existsSync(perStep) ? perStep : join(LABS, id, 'solution', name);
  return readFileSync(path, 'utf8');
}

function withWorkspace(files: Record<string, string>): FileSource {
  const disk = nodeFiles();
  const mem = memoryFiles(Object.fromEntries(Object.entries(files).map(([k, v]) => [`${WS}/${k}`, v])));
  return { read: (p) => (p.startsWith(`${WS}/`) ? mem.read(p) : disk.read(p)) };
}

/** Checks step `step` (1-based) of lab `id` with the learner's files given as text. */
export function checkWith(id: string, step: number, files: Record<string, string>): StepCheck {
  return checkStep(loadLab(id), step - 1, { labDir: join(LABS, id), workspace: WS }, withWorkspace(files));
}

/** Replaces exactly one occurrence of `from` (so a test cannot silently edit nothing). */
export function edit(text: string, from: string, to: string): string {
  const i = text.indexOf(from);
  if (i < 0 || text.indexOf(from, i + 1) >= 0) throw new Error(`expected exactly one occurrence of ${JSON.stringify(from)}`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

/** 1-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const n = text.split('\n').findIndex((l) => l.includes(needle));
  if (n < 0) throw new Error(`no line contains ${JSON.stringify(needle)}`);
  return n + 1;
}
