import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { defaultProfile } from '../../sim/config/index.ts';
import { analyze } from '../../sim/analyze/index.ts';
import { loadForValidate } from '../../sim/analyze/load.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { expandPaths } from '../../sim/cli/validate-command.ts';
import { meshsim, ROOT } from '../helpers/cli.ts';

const DIR = 'test/fixtures/validate';
const BASE = [`${DIR}/base.yaml`, `${DIR}/ingress.yaml`];

function codes(paths: string[], floor: 'info' | 'warning' = 'warning'): string[] {
  const profile = defaultProfile();
  const load = loadForValidate(paths, nodeFiles({ cwd: ROOT }), { profile });
  const found = analyze(load.resources, load.diagnostics, profile);
  return found.filter((d) => floor === 'info' || d.level !== 'info').map((d) => d.code).sort();
}

describe('meshsim validate: analyzers (one fixture per problem, validated against a clean base)', () => {
  it('the base mesh alone reports nothing', () => {
    expect(codes(BASE, 'info')).toEqual([]);
  });

  const cases: [string, string[]][] = [
    ['ist0101-host.yaml', ['IST0101']],
    ['ist0101-mirror.yaml', ['IST0101']],
    ['ist0101-kia1107-subset.yaml', ['IST0101', 'KIA1107']],
    ['ist0104.yaml', ['IST0104']],
    ['ist0106.yaml', ['IST0106']],
    ['ist0109-kia1106.yaml', ['IST0109', 'KIA1106']],
    ['ist0112.yaml', ['IST0112']],
    ['ist0130.yaml', ['IST0130']],
    ['ist0131.yaml', ['IST0131']],
    ['ist0132.yaml', ['IST0132']],
    ['ist0173.yaml', ['IST0173']],
    ['ist0174.yaml', ['IST0174']],
    ['kia1104.yaml', ['KIA1104']],
    ['kia1105.yaml', ['KIA1105']],
  ];
  for (const [file, want] of cases) {
    it(`${want.join(' + ')}: ${file} reports exactly that`, () => {
      expect(codes([...BASE, `${DIR}/problems/${file}`], 'info')).toEqual(want);
    });
  }

  it('every problem fixture has a test (none forgotten)', () => {
    const files = expandPaths([join(ROOT, DIR, 'problems')]).map((p) => p.slice(p.lastIndexOf('/') + 1));
    expect(files.sort()).toEqual(cases.map(([f]) => f).sort());
  });

  it('IST0173 is a note, not a warning, when no route uses the empty subset (Bookinfo ratings v2-mysql)', () => {
    const profile = defaultProfile();
    const load = loadForValidate([...BASE, `${DIR}/problems/ist0173.yaml`], nodeFiles({ cwd: ROOT }), { profile });
    const unused = load.resources.filter((r) => !(r.kind === 'VirtualService' && r.meta.name === 'ratings'));
    const found = analyze(unused, [], profile).filter((d) => d.code === 'IST0173');
    expect(found.map((d) => d.level)).toEqual(['info']);
  });

  it('clean Bookinfo and httpbin manifests report nothing at warning level or above', () => {
    const files = expandPaths([join(ROOT, 'scenarios/bookinfo'), join(ROOT, 'scenarios/httpbin')]);
    expect(codes(files)).toEqual([]);
    // Each Bookinfo VirtualService file on its own, as a learner applies them one at a time.
    const vss = expandPaths([join(ROOT, 'scenarios/bookinfo')]).filter((f) => f.includes('virtual-service-'));
    for (const vs of vss) expect(codes([join(ROOT, 'scenarios/bookinfo/platform.yaml'), join(ROOT, 'scenarios/bookinfo/destination-rule-all.yaml'), vs]), vs).toEqual([]);
  });
});

describe('meshsim validate: command line', () => {
  it('prints file:line:col: level CODE (Kind ns/name) message and exits 1 at the default --fail-on error', () => {
    const r = meshsim(['validate', ...BASE, `${DIR}/problems/ist0112.yaml`]);
    expect(r.stdout).toMatch(/^test\/fixtures\/validate\/problems\/ist0112\.yaml:9:34: error IST0112 \(VirtualService default\/web-from-ratings\) /);
    expect(r.code).toBe(1);
  });

  it('warnings pass by default and fail with --fail-on warning', () => {
    const args = ['validate', ...BASE, `${DIR}/problems/ist0131.yaml`];
    expect(meshsim(args).code).toBe(0);
    expect(meshsim([...args, '--fail-on', 'warning']).code).toBe(1);
  });

  it('--json prints an array of {code, level, resource, message, file, line, col}; folders are walked', () => {
    const r = meshsim(['validate', '--json', DIR]);
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(list.length).toBeGreaterThan(0);
    for (const f of list) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['code', 'level', 'resource', 'message', 'file', 'line', 'col']));
      expect(typeof f.line).toBe('number');
    }
    expect(new Set(list.map((f) => f.code))).toContain('IST0104');
  });

  it('exit 2 for unreadable input (missing file, broken YAML) and for a bad --fail-on', () => {
    expect(meshsim(['validate', 'no/such/file.yaml']).code).toBe(2);
    expect(meshsim(['validate', `${DIR}/broken.yaml.txt`]).code).toBe(2);
    expect(meshsim(['validate', ...BASE, '--fail-on', 'info']).code).toBe(2);
  });

  it('a folder that also holds meshsim scenarios validates only the manifests (no MSH0100/MSH0101 for kind Scenario)', () => {
    const r = meshsim(['validate', '--json', 'scenarios']);
    const list = JSON.parse(r.stdout) as { code: string; resource: string }[];
    expect(list.filter((f) => f.resource.startsWith('Scenario '))).toEqual([]);
    // The manifests next to them are still read and analysed.
    expect(r.stdout).toContain('MSH0102');
  });

  it('exit 0 and no findings on the clean base', () => {
    const r = meshsim(['validate', ...BASE, '--fail-on', 'warning']);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});
