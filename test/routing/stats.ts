/**
 * Statistical bounds for routing tests (DESIGN.md Tests): a share observed over n independent
 * draws must lie within z standard deviations of the configured one. z = 4.5 fails a correct
 * engine about once in 150,000 runs, for any seed.
 */
export function withinBinomial(observed: number, n: number, p: number, z = 4.5): boolean {
  const sd = Math.sqrt((p * (1 - p)) / n);
  return Math.abs(observed / n - p) <= z * sd + 1e-12;
}
