/** One way to build a finding about a resource field, positioned where the field was written. */
import { resourceName, type Resource } from '../config/types.ts';
import type { Diagnostic, DiagnosticLevel } from '../domain/diagnostics.ts';

export function finding(res: Resource, path: string, code: string, level: DiagnosticLevel, message: string): Diagnostic {
  // Fall back to the document start so every finding prints file:line:col (a field may be implicit).
  return { code, level, resource: resourceName(res), message, source: res.meta.positions.get(path) ?? res.meta.source, path };
}
