/**
 * `lab.yaml`: a lab's steps, each checked with the expectations language, and hints keyed to the
 * mistakes a learner typically makes. Parsed with positions so an instructor's typo in a lab file
 * is reported at file:line:col like any other meshsim input.
 */
import { z } from 'zod';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { CODES } from '../config/codes.ts';
import { issuesToDiagnostics } from '../config/issues.ts';
import { parseYamlDocuments, type PosIndex } from '../config/yaml-source.ts';

/** What a hint reacts to: a flag or code seen in a step's scope, a load diagnostic, a failed expectation. */
const whenSchema = z.union([
  z.object({ flag: z.string() }).strict(),
  z.object({ code: z.string() }).strict(),
  z.object({ diagnostic: z.string() }).strict(),
  z.object({ failed: z.string() }).strict(),
]);

const hintSchema = z.object({ when: whenSchema.optional(), text: z.string().min(1) }).strict();

const stepSchema = z
  .object({
    title: z.string().min(1),
    instructions: z.string().min(1),
    expect: z.array(z.unknown()).min(1),
    hints: z.array(hintSchema).default([]),
  })
  .strict();

export const labSchema = z
  .object({
    apiVersion: z.literal('meshsim.dev/v1alpha1'),
    kind: z.literal('Lab'),
    metadata: z.object({ name: z.string().min(1), title: z.string().min(1) }).strict(),
    spec: z
      .object({
        /** Scenario file, relative to the lab folder. */
        scenario: z.string().min(1),
        /**
         * Manifests layered at t=0 before the learner's files, relative to the lab folder. Unlike a
         * scenario's own `manifests` they may lie outside it, so labs share scenarios/bookinfo.
         */
        manifests: z.array(z.string().min(1)).default([]),
        /** Files the learner edits: copied from start/ into the workspace, layered at t=0 over the scenario. */
        files: z.array(z.string().min(1)).min(1),
        /**
         * Which of `files` are layered at t=0 (default: all but the scenario). A lab whose learner
         * edits the timeline lists the scenario and the files it applies later in `files`, and
         * none of them here.
         */
        apply: z.array(z.string().min(1)).optional(),
        /** Run with istiod's debounce and per-proxy push delays (istio-semantics.md §6.1). */
        propagation: z.enum(['default', 'off']).default('off'),
        steps: z.array(stepSchema).min(1),
      })
      .strict(),
  })
  .strict();

export type HintWhen = z.infer<typeof whenSchema>;
export type LabHint = z.infer<typeof hintSchema>;

export interface LabStep {
  title: string;
  instructions: string;
  expect: unknown[];
  hints: LabHint[];
  /** Positions in lab.yaml and the path of this step's `expect` list, so its mistakes point into lab.yaml. */
  expectIndex: PosIndex;
  expectBase: (string | number)[];
}

export interface LabDef {
  name: string;
  title: string;
  scenario: string;
  manifests: string[];
  files: string[];
  /** Learner files layered at t=0. */
  apply: string[];
  propagation: 'default' | 'off';
  steps: LabStep[];
  /** Path of the lab.yaml it came from. */
  file: string;
}

export function parseLab(text: string, file: string): { lab: LabDef | null; diagnostics: Diagnostic[] } {
  const { docs, diagnostics } = parseYamlDocuments(text, file);
  if (diagnostics.some((d) => d.level === 'error')) return { lab: null, diagnostics };
  if (docs.length !== 1) {
    return { lab: null, diagnostics: [{ code: CODES.scenario, level: 'error', resource: '', message: `a lab file holds exactly one YAML document, found ${docs.length}`, source: { file, line: 1, col: 1 } }] };
  }
  const doc = docs[0];
  const parsed = labSchema.safeParse(doc.value);
  if (!parsed.success) {
    return { lab: null, diagnostics: issuesToDiagnostics(parsed.error.issues, { resource: '', index: doc.index, base: [], schema: labSchema, code: CODES.scenario }) };
  }
  const v = parsed.data;
  const stray = (v.spec.apply ?? []).filter((f) => !v.spec.files.includes(f));
  if (stray.length > 0) {
    return { lab: null, diagnostics: [{ code: CODES.scenario, level: 'error', resource: '', message: `spec.apply names ${stray.join(', ')}, which spec.files does not list`, source: doc.index.values.get('spec.apply') ?? null }] };
  }
  const steps: LabStep[] = v.spec.steps.map((s, i) => ({ ...s, expectIndex: doc.index, expectBase: ['spec', 'steps', i, 'expect'] }));
  return { lab: { name: v.metadata.name, title: v.metadata.title, scenario: v.spec.scenario, manifests: v.spec.manifests, files: v.spec.files, apply: v.spec.apply ?? v.spec.files.filter((f) => f !== v.spec.scenario), propagation: v.spec.propagation, steps, file }, diagnostics };
}
