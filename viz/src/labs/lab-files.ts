/**
 * The labs bundled into the page, like the scenarios (viz/src/scenarios.ts): every file under
 * labs/ that a lab reads or shows, keyed by its repository path ("labs/04-traffic-shifting/lab.yaml").
 */
const raw = import.meta.glob<string>('../../../labs/**/*.{yaml,yml,md}', { query: '?raw', import: 'default', eager: true });

export const labFiles: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    Object.keys(raw)
      .sort()
      .map((k) => [k.replace(/^(\.\.\/)+/, ''), raw[k]!] as [string, string]),
  ),
);

/** Lab folders ("labs/04-traffic-shifting"), in course order. */
export const labDirs: readonly string[] = Object.keys(labFiles)
  .filter((p) => /^labs\/[^/]+\/lab\.yaml$/.test(p))
  .map((p) => p.replace(/\/lab\.yaml$/, ''))
  .sort();
