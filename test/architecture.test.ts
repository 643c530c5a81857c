/**
 * Architecture rules of DESIGN.md, checked on the source text:
 * 1. sim/ outside sim/cli uses no Node or DOM API and no ambient nondeterminism.
 * 2. Data flows one way: a module imports values only from modules above it in DESIGN.md's
 *    picture (type-only imports may point anywhere); data-plane and workloads never import each other.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SIM = join(import.meta.dirname, '..', 'sim');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Position in DESIGN.md's data-flow picture; lower = further up. */
const RANK: Record<string, number> = {
  domain: 0,
  'version.ts': 0,
  config: 1,
  'control-plane': 2,
  engine: 3,
  machines: 2,
  'data-plane': 4,
  workloads: 4,
  traffic: 4,
  trace: 5,
  metrics: 6,
  expect: 7,
  analyze: 7,
  export: 7,
  'run.ts': 8,
  'timeline-runner.ts': 8,
  labs: 8,
  'index.ts': 9,
  cli: 10,
};

function moduleOf(file: string): string {
  return relative(SIM, file).split('/')[0];
}

const core = sourceFiles(SIM).filter((f) => moduleOf(f) !== 'cli');

const BANNED: [RegExp, string][] = [
  [/from ['"]node:/, 'node: import'],
  [/(?<![.\w])process\./, 'process'],
  [/\bDate\.now\(|new Date\(/, 'Date'],
  [/Math\.random\(/, 'Math.random'],
  [/\bperformance\.now\(/, 'performance.now'],
  [/\bset(Timeout|Interval|Immediate)\(/, 'timers'],
  [/\bconsole\./, 'console'],
  [/(?<![.\w])(window|document|globalThis|self)\./, 'DOM/global'],
  [/localeCompare\(/, 'localeCompare (locale-dependent order)'],
];

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('architecture', () => {
  it('every core file is known to the module map', () => {
    for (const f of core) expect(RANK[moduleOf(f)], relative(SIM, f)).toBeDefined();
  });

  it.each(core.map((f) => [relative(SIM, f), f]))('%s uses no Node/DOM API or ambient nondeterminism', (_name, file) => {
    const text = stripComments(readFileSync(file, 'utf8'));
    for (const [re, what] of BANNED) expect(re.test(text), `${what} in ${_name}`).toBe(false);
  });

  it('value imports only point up the data-flow picture; data-plane and workloads do not meet directly', () => {
    const problems: string[] = [];
    for (const file of sourceFiles(SIM)) {
      const from = moduleOf(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
        const typeOnly = Boolean(m[1]);
        const target = join(file, '..', m[2]);
        const to = moduleOf(target);
        if (to === from) continue;
        if ((from === 'data-plane' && to === 'workloads') || (from === 'workloads' && to === 'data-plane')) {
          problems.push(`${relative(SIM, file)} imports ${to} (they meet only through sim/domain/ports.ts)`);
        }
        if (!typeOnly && RANK[to] > RANK[from]) problems.push(`${relative(SIM, file)} imports a value from ${to}, which is below ${from}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
