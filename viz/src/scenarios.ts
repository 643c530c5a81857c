/**
 * Scenario files bundled into the page: every YAML file under scenarios/, as text, keyed by its
 * path from the repository root ("scenarios/bookinfo.yaml", "scenarios/bookinfo/platform.yaml").
 */
const raw = import.meta.glob<string>('../../scenarios/**/*.{yaml,yml}', { query: '?raw', import: 'default', eager: true });

export const bundledFiles: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    Object.keys(raw)
      .sort()
      .map((k) => [k.replace(/^(\.\.\/)+/, ''), raw[k]!] as [string, string]),
  ),
);

/** Top-level scenario files (scenarios/*.yaml), the ones a user picks from. */
export const bundledScenarios: readonly string[] = Object.keys(bundledFiles).filter((p) => /^scenarios\/[^/]+\.ya?ml$/.test(p) && /^kind:\s*Scenario\s*$/m.test(bundledFiles[p]!));

/**
 * A file path the page may fetch from its own origin: under scenarios/, relative, no "..",
 * only ordinary file-name characters. Anything else stays "missing" for the parser to report.
 */
export function fetchablePath(path: string): boolean {
  return /^scenarios\/(?:[A-Za-z0-9_.-]+\/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(path) && !path.split('/').includes('..');
}
