/**
 * Hints for load problems in the learner's own files: name the file, the line and the fix, in
 * words a learner can act on. The diagnostics already carry "did you mean" suggestions; this adds
 * what kind of mistake it is (indentation, a misspelled field) and where to look.
 */
import { formatLocation, type Diagnostic } from '../domain/diagnostics.ts';

/** Diagnostic code → what that kind of mistake usually is. */
const KIND: Record<string, string> = {
  MSH0001: 'the YAML does not parse — usually indentation (use spaces, line up siblings) or a missing ":"',
  MSH0002: 'the YAML cannot be read as data',
  MSH0003: 'a file is missing — did you rename or delete it? `meshsim lab start <lab>` puts the starting file back',
  MSH0004: 'a document is not a Kubernetes object (it needs apiVersion, kind and metadata.name)',
  IST0106: 'Istio would reject this resource',
  MSH0011: 'a Kubernetes field has a wrong shape or value',
  MSH0101: 'an unknown kind or apiVersion: the document is ignored',
};

/** Whether a diagnostic is about one of the learner's files (a missing file has no position: its message names it). */
export function isLearnerDiagnostic(d: Diagnostic, learnerFiles: readonly string[]): boolean {
  return d.source !== null ? learnerFiles.includes(d.source.file) : learnerFiles.some((f) => d.message.includes(f));
}

export function diagnosticHints(diagnostics: readonly Diagnostic[], learnerFiles: readonly string[]): string[] {
  const out: string[] = [];
  const inMine = (d: Diagnostic): boolean => isLearnerDiagnostic(d, learnerFiles);
  // Errors outside the learner's files are the lab's own fault: say so once instead of teaching.
  if (diagnostics.some((d) => d.level === 'error' && !inMine(d)) && !diagnostics.some((d) => d.level === 'error' && inMine(d))) {
    return ['the lab itself failed to load (errors above are not in your files); tell your instructor'];
  }
  // The YAML parser often reports one slip twice at the same place; one hint per place is enough.
  // A misspelled required field is both "unknown field 'host' (did you mean 'hosts'?)" and "missing
  // required field 'hosts'" at one line: keep the one that names the fix.
  const atPlace = new Map<string, Diagnostic>();
  for (const d of diagnostics) {
    if (!inMine(d)) continue;
    const place = d.source ? formatLocation(d.source) : '';
    const kept = atPlace.get(place);
    if (!kept || (!kept.message.includes('did you mean') && d.message.includes('did you mean'))) atPlace.set(place, d);
  }
  for (const d of atPlace.values()) {
    const where = d.source ? formatLocation(d.source) : learnerFiles.find((f) => d.message.includes(f)) ?? '';
    const kind = KIND[d.code];
    const field = d.path ? ` at ${d.path}` : '';
    out.push(`${where}: ${kind ? `${kind}: ` : ''}${d.message}${field ? ` (${field.trim()})` : ''}`);
  }
  return out;
}
