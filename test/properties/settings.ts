/**
 * How many cases the property tests run and from which seed (style-anchors §3.8): a fixed seed in
 * CI (or whatever MESHSIM_PROPERTY_SEED says), a fresh one locally, always printed in the suite
 * title so a red run can be replayed. MESHSIM_PROPERTY_PATH jumps straight to a counterexample.
 */
import fc from 'fast-check';

/** The seed CI uses when MESHSIM_PROPERTY_SEED is not set. */
const CI_SEED = 20261126;

export interface PropertySettings {
  seed: number;
  numRuns: number;
  path: string | undefined;
}

export function propertySettings(): PropertySettings {
  const env = process.env;
  const given = env.MESHSIM_PROPERTY_SEED;
  if (given !== undefined && !/^-?\d+$/.test(given)) throw new Error(`MESHSIM_PROPERTY_SEED must be an integer, got "${given}"`);
  // Locally a new seed each run (Date.now and Math.random are fine in tests, never in sim/).
  const seed = given !== undefined ? Number(given) : env.CI ? CI_SEED : (Date.now() ^ Math.floor(Math.random() * 2 ** 31)) | 0;
  const numRuns = Number(env.MESHSIM_PROPERTY_RUNS ?? 200);
  return { seed, numRuns, path: env.MESHSIM_PROPERTY_PATH };
}

/**
 * fc.check with our settings; a failure throws fast-check's own report (seed, path, shrunk
 * counterexample) followed by `show(counterexample)`, e.g. the scenario as YAML.
 */
export function assertProperty<T>(property: fc.IProperty<[T]>, settings: PropertySettings, show: (value: T) => string): void {
  const params: fc.Parameters<[T]> = { seed: settings.seed, numRuns: settings.numRuns };
  if (settings.path !== undefined) params.path = settings.path;
  const details = fc.check(property, params);
  if (!details.failed) return;
  const shown = details.counterexample ? show(details.counterexample[0]) : '(no counterexample)';
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `${fc.defaultReportMessage(details) ?? 'property failed'}\n\nFailure: ${cause}\n\n` +
      `Minimal failing scenario (after ${details.numShrinks} shrinks):\n${shown}\n` +
      `Replay: MESHSIM_PROPERTY_SEED=${details.seed} MESHSIM_PROPERTY_PATH="${details.counterexamplePath}" npx vitest run test/properties`,
  );
}
