/**
 * Worker side of a lab check: the same `checkStep` the CLI's `meshsim lab check` runs, over the
 * in-memory files the page sends. Imported by viz/src/worker.ts.
 */
import { checkStep, formatDiagnostic, memoryFiles, parseLab } from '../../../sim/index.ts';
import type { LabCheckReply, LabCheckRequest } from './lab-protocol.ts';

export function handleLabCheck(req: LabCheckRequest): LabCheckReply {
  try {
    const labFile = `${req.labDir}/lab.yaml`;
    const text = req.files[labFile];
    if (text === undefined) return { id: req.id, kind: 'crash', message: `${labFile} is not bundled` };
    const { lab, diagnostics } = parseLab(text, labFile);
    if (!lab) return { id: req.id, kind: 'lab-check', result: { step: req.step + 1, title: '', passed: false, diagnostics: diagnostics.map(formatDiagnostic), verdicts: [], hints: ['this lab itself is broken; tell your instructor'], summary: null } };
    if (req.step < 0 || req.step >= lab.steps.length) return { id: req.id, kind: 'crash', message: `${lab.name} has no step ${req.step + 1}` };
    const c = checkStep(lab, req.step, { labDir: req.labDir, workspace: req.workspace }, memoryFiles(req.files));
    return {
      id: req.id,
      kind: 'lab-check',
      result: {
        step: c.step,
        title: c.title,
        passed: c.passed,
        diagnostics: c.diagnostics.filter((d) => d.level === 'error' || d.level === 'warning').map(formatDiagnostic),
        verdicts: c.verdicts.map((v) => ({ name: v.name, passed: v.passed, detail: v.detail })),
        hints: c.hints,
        summary: c.run?.summary ?? null,
      },
    };
  } catch (e) {
    return { id: req.id, kind: 'crash', message: e instanceof Error ? e.message : String(e) };
  }
}
