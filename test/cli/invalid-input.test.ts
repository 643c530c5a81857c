/**
 * Invalid input reaches the user as file:line:col, the field, what is wrong and what would be
 * right, with exit code 2 and no stack trace (issue "Foundation", acceptance).
 */
import { describe, expect, it } from 'vitest';
import { meshsim } from '../helpers/cli.ts';

const DIR = 'test/fixtures/invalid';

describe('invalid input exits 2 with a located message', () => {
  it('the valid base fixture runs (so the failures below are about the one broken thing)', () => {
    expect(meshsim(['run', `${DIR}/base.yaml`, '--json']).code).toBe(0);
  });

  it.each([
    ['broken YAML', 'broken-yaml.yaml', /broken-yaml\.yaml:7:3: error MSH0001: invalid YAML/],
    ['unknown field in the scenario', 'unknown-field.yaml', /unknown-field\.yaml:7:3: error MSH0010 spec\.trafic: unknown field 'trafic' \(did you mean 'traffic'\?\)/],
    ['a Service selecting nothing', 'selects-nothing.yaml', /selects-nothing-platform\.yaml:5:13: error MSH0201 \(Service default\/orphan\) spec\.selector: .*matches no Deployment/],
    ['a manifest path that does not exist', 'missing-manifest.yaml', /missing-manifest\.yaml:6:30: error MSH0003 spec\.manifests\[1\]: cannot read manifest .*no-such-file\.yaml/],
    ['a negative rate', 'negative-rate.yaml', /negative-rate\.yaml:8:\d+: error MSH0010 spec\.traffic\[0\]\.rate: rate "-5\/s" is negative; a rate must be > 0/],
  ])('%s', (_what, file, message) => {
    const r = meshsim(['run', `${DIR}/${file}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
