/**
 * Unit tests of the load-time guards: call-cycle detection (sim/config/call-graph.ts) and the
 * limits on paths, sizes and YAML shape (sim/config/limits.ts).
 */
import { describe, expect, it } from 'vitest';
import { findCallCycles } from '../../sim/config/call-graph.ts';
import { confinementProblem, parseByteSize, yamlNodeEstimate } from '../../sim/config/limits.ts';
import type { WorkloadBehaviour } from '../../sim/config/types.ts';
import { parseAllDocuments } from 'yaml';
import { behaviour, call, deployment, service } from '../helpers/build.ts';

const calls = (name: string, urls: string[], ns = 'default'): WorkloadBehaviour => behaviour(name, { calls: urls.map((u) => ({ parallel: [call(u)] })) }, ns);

describe('call cycles', () => {
  const deployments = ['a', 'b', 'c'].map((n) => deployment(n));
  const services = ['a', 'b', 'c'].map((n) => service(n, 8080));

  it('a chain a → b → c is not a cycle', () => {
    expect(findCallCycles([calls('a', ['http://b:8080/']), calls('b', ['http://c:8080/']), calls('c', [])], services, deployments)).toEqual([]);
  });

  it('a → b → c → a is one error, at the call that closes it', () => {
    const ws = [calls('a', ['http://b:8080/']), calls('b', ['http://c.default:8080/']), calls('c', ['http://a.default.svc.cluster.local:8080/'])];
    ws[2].calls[0].parallel[0].source = { file: 's.yaml', line: 9, col: 11 };
    const ds = findCallCycles(ws, services, deployments);
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'MSH0021', level: 'error', source: { file: 's.yaml', line: 9, col: 11 } });
    expect(ds[0].message).toMatch(/^call cycle a → b → c → a: /);
  });

  it('a call on a port the Service does not expose, or to a host outside the mesh, makes no edge', () => {
    const ws = [calls('a', ['http://b:9999/', 'https://httpbin.org/']), calls('b', ['http://a:8080/'])];
    expect(findCallCycles(ws, services, deployments)).toEqual([]);
  });

  it('a short name resolves in the caller\'s namespace: shop/a calling "b" does not reach default/b', () => {
    const ds = [deployment('a', { namespace: 'shop' }), deployment('b')];
    const ss = [service('a', 8080, { namespace: 'shop' }), service('b', 8080)];
    expect(findCallCycles([calls('a', ['http://b:8080/'], 'shop'), calls('b', ['http://a.shop:8080/'])], ss, ds)).toEqual([]);
    expect(findCallCycles([calls('a', ['http://b.default:8080/'], 'shop'), calls('b', ['http://a.shop:8080/'])], ss, ds)).toHaveLength(1);
  });

  it('a Service selecting two versions counts both: v2 calling back makes a cycle even if routing favours v1', () => {
    const ds = [deployment('front'), deployment('api-v1', { app: 'api', version: 'v1' }), deployment('api-v2', { app: 'api', version: 'v2' })];
    const ss = [service('front', 8080), service('api', 8080)];
    const ws = [calls('front', ['http://api:8080/']), calls('api-v1', []), calls('api-v2', ['http://front:8080/'])];
    expect(findCallCycles(ws, ss, ds).map((d) => d.message)).toEqual([expect.stringMatching(/^call cycle front → api-v2 → front/)]);
  });

  it('a chain of 20 000 workloads is searched without running out of stack', () => {
    const n = 20_000;
    const ds = Array.from({ length: n }, (_, i) => deployment(`w${i}`));
    const ss = Array.from({ length: n }, (_, i) => service(`w${i}`, 8080));
    const ws = Array.from({ length: n }, (_, i) => calls(`w${i}`, [`http://w${(i + 1) % n}:8080/`]));
    expect(findCallCycles(ws, ss, ds)).toHaveLength(1);
  });
});

describe('paths a scenario may name', () => {
  it.each([
    ['platform.yaml', null],
    ['sub/dir/m.yaml', null],
    ['./a/../b.yaml', null],
    ['a/b/../../c.yaml', null],
    ['../x.yaml', "it leads out of the scenario's folder"],
    ['a/../../x.yaml', "it leads out of the scenario's folder"],
    ['/etc/passwd', 'it is an absolute path'],
    ['C:\\Users\\me\\x.yaml', 'it is an absolute path'],
    ['..\\x.yaml', "it leads out of the scenario's folder"],
    ['a\0b', 'the path contains a NUL character'],
  ])('%j → %j', (path, problem) => {
    expect(confinementProblem(path)).toBe(problem);
  });
});

describe('sizes and YAML shape', () => {
  it.each([
    ['2GiB', 2 * 1024 ** 3],
    ['500MB', 500e6],
    ['16Ki', 16384],
    ['1.5 KB', 1500],
    [4096, 4096],
  ])('parseByteSize(%j) = %d', (input, bytes) => {
    expect(parseByteSize(input)).toEqual({ ok: true, bytes });
  });

  it.each(['lots', '-1MB', '0', '1e400', '5 parsecs'])('parseByteSize(%j) is an error', (input) => {
    expect(parseByteSize(input).ok).toBe(false);
  });

  it('the node estimate never undercounts the nodes yaml builds', () => {
    const texts = [
      'a: 1\nb: [1, 2, {c: d, e: [f]}]\n',
      '- a\n- b: c\n  d: e\n- - x\n  - y\n',
      'k: "quoted, with: commas - and [brackets]"\nl: |\n  block\n  text\n',
      'x: {a: 1, b: 2}\n---\ny: [3, 4]\n',
    ];
    for (const text of texts) {
      let nodes = 0;
      for (const doc of parseAllDocuments(text) as unknown as { contents: unknown }[]) {
        const count = (n: unknown): void => {
          if (n === null || typeof n !== 'object') return;
          const o = n as { items?: unknown[]; key?: unknown; value?: unknown };
          if (Array.isArray(o.items)) {
            nodes++;
            o.items.forEach(count);
          } else if ('key' in o && 'value' in o) {
            count(o.key);
            count(o.value);
          } else nodes++;
        };
        count(doc.contents);
      }
      expect(yamlNodeEstimate(text), text).toBeGreaterThanOrEqual(nodes);
    }
  });
});
