/**
 * Node badges from scenario resources (viz/src/replay/badges.ts), on the bundled scenarios that
 * carry each kind of resource.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { badgesOf, type Badge } from '../../viz/src/replay/badges.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const badges = (path: string): Map<string, Badge[]> => new Map(badgesOf(loadScenario(path, nodeFiles({ cwd: repoRoot }))).map((b) => [`${b.namespace}/${b.workload}`, b.badges]));

describe('badgesOf', () => {
  it('Bookinfo without routing rules: no badges', () => {
    expect(badges('scenarios/bookinfo.yaml').size).toBe(0);
  });

  it('fault-injection-abort: VirtualService on every routed workload, fault only behind ratings', () => {
    const b = badges('scenarios/fault-injection-abort.yaml');
    expect(b.get('default/ratings-v1')).toEqual(['virtual-service', 'fault']);
    expect(b.get('default/reviews-v2')).toEqual(['virtual-service']);
  });

  it('circuit-breaking: a DestinationRule with connectionPool marks the workloads behind its host', () => {
    expect(badges('scenarios/circuit-breaking.yaml').get('default/httpbin')).toEqual(['circuit-breaker']);
  });

  it('mtls-migration: STRICT PeerAuthentication locks sidecar workloads; the legacy namespace has no sidecar and no lock', () => {
    const b = badges('scenarios/mtls-migration.yaml');
    expect(b.get('foo/httpbin')).toEqual(['mtls']);
    expect(b.get('legacy/sleep')).toEqual(['no-sidecar']);
  });
});
