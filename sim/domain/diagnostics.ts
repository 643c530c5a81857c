/**
 * Diagnostics: everything meshsim has to say about the input, in one shape.
 * Codes reuse istioctl analyze (ISTnnnn) and Kiali (KIAnnnn) where the meaning matches;
 * meshsim's own codes are MSHnnnn.
 */

export interface SourceLocation {
  /** Path as the user gave it (relative to the working directory or the scenario). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
}

export type DiagnosticLevel = 'error' | 'warning' | 'info';

export interface Diagnostic {
  code: string;
  level: DiagnosticLevel;
  /** "Kind ns/name" of the resource concerned, or "" for file-level problems. */
  resource: string;
  message: string;
  /** Where in the input; null when the problem has no single place. */
  source: SourceLocation | null;
  /** Field path inside the document, e.g. "spec.http[0].route[1].weight". */
  path?: string;
}

export function formatLocation(loc: SourceLocation | null): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : '';
}

/** One line per diagnostic, the way compilers print them: "file:line:col: error IST0101 (VirtualService default/reviews) spec.http[0]: message". */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${formatLocation(d.source)}: ` : '';
  const what = d.resource ? ` (${d.resource})` : '';
  const path = d.path ? ` ${d.path}:` : ':';
  return `${where}${d.level} ${d.code}${what}${path} ${d.message}`;
}

/**
 * Thrown for input the user must fix. Front ends print the diagnostics and exit 2; never a stack trace.
 */
export class InputError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'InputError';
    this.diagnostics = diagnostics;
  }
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.level === 'error');
}
