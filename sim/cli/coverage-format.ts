/** The text form of a route coverage report (`meshsim check --coverage`). */
import type { CoverageReport } from '../expect/coverage.ts';

export function formatCoverage(file: string, c: CoverageReport): string {
  const unit = c.blocksAttributed ? 'rules and match blocks' : 'rules';
  const out = [`coverage ${file}: ${c.covered} of ${c.total} ${unit} exercised (${c.percent} %)`];
  if (c.rules.length === 0) out.push('  (no VirtualService http rules to cover)');
  for (const r of c.rules) {
    const label = `${r.virtualService}#${r.rule}${r.name ? ` (${r.name})` : ''}`;
    if (r.blockHits) {
      const blocks = r.blockHits.map((h, m) => `match ${m}: ${h}${h === 0 ? ' ✗' : ''}`).join(', ');
      out.push(`  ${label}: ${r.hits} hits; ${blocks}`);
    } else {
      const blocks = r.matchBlocks > 1 ? ` (${r.matchBlocks} match blocks, not told apart)` : '';
      out.push(`  ${label}: ${r.hits} hits${blocks}${r.hits === 0 ? ' ✗ not exercised' : ''}`);
    }
  }
  return out.join('\n');
}
