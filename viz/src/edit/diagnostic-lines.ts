/**
 * The worker reports invalid input as compiler-style lines ("file:line:col: error CODE …: message",
 * sim/domain/diagnostics.ts formatDiagnostic). This turns them back into positions for the editor.
 */
export interface LocatedProblem {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

const LINE = /^(.+?):(\d+):(\d+): (error|warning|info) (.*)$/s;

/** null for lines without a position (file-level problems): the report shows those. */
export function parseDiagnosticLine(text: string): LocatedProblem | null {
  const m = LINE.exec(text);
  if (!m) return null;
  return { file: m[1]!, line: Number(m[2]), col: Number(m[3]), severity: m[4] as LocatedProblem['severity'], message: `${m[4]} ${m[5]}` };
}

export function locatedProblems(lines: readonly string[]): LocatedProblem[] {
  return lines.map(parseDiagnosticLine).filter((p): p is LocatedProblem => p !== null);
}
