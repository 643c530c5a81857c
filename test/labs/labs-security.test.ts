/**
 * Labs 10–13 (mTLS migration, authorization, ingress, egress): the starting files and the
 * common mistakes fail with the hint written for them, typos are located at file:line with the
 * fix, and each step's answer leaves the next step failing for the right reason.
 * (labs.test.ts proves for every lab that the solutions pass and keep the trace invariants.)
 */
import { describe, expect, it } from 'vitest';
import { checkWith, edit, labFile, lineOf, WS } from './lab-harness.ts';

const paMeshStrict = [
  'apiVersion: security.istio.io/v1',
  'kind: PeerAuthentication',
  'metadata:',
  '  name: default',
  '  namespace: istio-system',
  'spec:',
  '  mtls:',
  '    mode: STRICT',
  '',
].join('\n');

describe('lab 10-mtls-migration (istio-semantics.md §8.11, §5.1)', () => {
  const ID = '10-mtls-migration';
  const F = 'peer-authentications.yaml';
  const step1 = labFile(ID, 'solution', F, 1);
  const check = (step: number, text: string) => checkWith(ID, step, { [F]: text });

  it('start (PERMISSIVE): legacy still reaches foo; the hint says foo is not STRICT', () => {
    const c = check(1, labFile(ID, 'start', F));
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^legacy's plaintext calls still reach foo: foo is not STRICT/)]);
  });

  it('STRICT mesh-wide in step 1: "connection reset: a plaintext client hits a STRICT workload"', () => {
    const c = check(1, paMeshStrict);
    expect(c.passed).toBe(false);
    // legacy → bar and legacy → baz are reset at the connection (code 0, flag UC).
    expect(c.verdicts.find((v) => v.name === 'legacy -> bar still works')).toMatchObject({ passed: false, codes: { '0': expect.any(Number) } });
    expect(c.hints).toEqual([expect.stringMatching(/^Connection reset: a plaintext client hits a STRICT workload\..*istio-system/s)]);
  });

  it('step 2 with only foo STRICT: baz still accepts plaintext', () => {
    const c = check(2, step1);
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^baz still accepts plaintext: there is no mesh-wide STRICT/)]);
  });

  it('step 2 mesh-wide STRICT without the exception for bar: legacy → bar breaks, the hint names bar PERMISSIVE', () => {
    const c = check(2, `${step1}---\n${paMeshStrict}`);
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^Connection reset: .*namespace `bar` with\s+`mtls\.mode: PERMISSIVE`/s)]);
  });

  it('a misspelled field: file, line and "did you mean \'mtls\'"', () => {
    const bad = edit(step1, '  mtls:', '  mtl:');
    const c = check(1, bad);
    expect(c.passed).toBe(false);
    expect(c.hints.join('\n')).toContain(`${WS}/${F}:${lineOf(bad, 'mtl:')}:`);
    expect(c.hints.join('\n')).toMatch(/did you mean 'mtls'/);
  });

  it('a mode in lower case: file, line and the allowed values', () => {
    const bad = edit(step1, 'mode: STRICT', 'mode: strict');
    const c = check(1, bad);
    expect(c.passed).toBe(false);
    expect(c.hints.join('\n')).toContain(`${WS}/${F}:${lineOf(bad, 'mode: strict')}:`);
    expect(c.hints.join('\n')).toMatch(/STRICT/);
  });
});

describe('lab 11-authorization (istio-semantics.md §8.13, §5.2)', () => {
  const ID = '11-authorization';
  const F = 'authorization-policies.yaml';
  const step1 = labFile(ID, 'solution', F, 1);
  const step2 = labFile(ID, 'solution', F, 2);
  const check = (step: number, text: string) => checkWith(ID, step, { [F]: text });

  it('start (no policy): requests get through; the hint gives `spec: {}`', () => {
    const c = check(1, labFile(ID, 'start', F));
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^Requests still get through: no policy denies them.*`spec: \{\}`/s)]);
  });

  it('allow-nothing: 403 from the server\'s sidecar, and productpage\'s app never calls anyone', () => {
    const c = check(1, step1);
    expect(c.passed).toBe(true);
    expect(c.run!.summary.edges.filter((e) => e.source === 'productpage-v1')).toEqual([]);
  });

  it('a DENY-all instead of allow-nothing: no ALLOW can win in step 2, and the hint says why', () => {
    const denyAll = edit(step2, 'spec: {}', 'spec:\n  action: DENY\n  rules:\n  - {}');
    expect(check(1, denyAll).passed).toBe(true);
    const c = check(2, denyAll);
    expect(c.passed).toBe(false);
    expect(c.hints[0]).toMatch(/DENY is evaluated\s+first; use `spec: \{\}`/);
  });

  it('step 2 without `paths`: the API gets through, the hint asks for paths', () => {
    const c = check(2, edit(step2, '        paths: ["/productpage"]\n', ''));
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^The API gets through: your rule allows every path/)]);
  });

  it('step 3 with step 2\'s policies: details refuses productpage (403)', () => {
    const c = check(3, step2);
    expect(c.passed).toBe(false);
    expect(c.hints[0]).toMatch(/^details refuses productpage \(403\)/);
  });

  it('step 3 with ratings allowing productpage instead of reviews: ratings refuses reviews', () => {
    const sol = labFile(ID, 'solution', F);
    const i = sol.indexOf('name: ratings-viewer');
    const wrong = sol.slice(0, i) + sol.slice(i).replace('sa/bookinfo-reviews', 'sa/bookinfo-productpage');
    const c = check(3, wrong);
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^ratings refuses reviews.*bookinfo-reviews/s)]);
  });

  it('a misspelled field: file, line and "did you mean \'principals\'"', () => {
    const sol = labFile(ID, 'solution', F);
    const bad = sol.replace('principals: ["cluster.local/ns/default/sa/bookinfo-productpage"]', 'principal: ["cluster.local/ns/default/sa/bookinfo-productpage"]');
    const c = check(3, bad);
    expect(c.passed).toBe(false);
    expect(c.hints.join('\n')).toContain(`${WS}/${F}:${lineOf(bad, 'principal:')}:`);
    expect(c.hints.join('\n')).toMatch(/did you mean 'principals'/);
  });
});

describe('lab 12-ingress-gateway (istio-semantics.md §8.9, §4)', () => {
  const ID = '12-ingress-gateway';
  const F = 'httpbin-gateway.yaml';
  const step1 = labFile(ID, 'solution', F, 1);
  const check = (step: number, text: string) => checkWith(ID, step, { [F]: text });

  it('start (VirtualService not bound to the Gateway): 404 NR from the gateway for everything', () => {
    const c = check(1, labFile(ID, 'start', F));
    expect(c.passed).toBe(false);
    expect(c.run!.summary.edges.filter((e) => e.source === 'istio-ingressgateway' && e.destination !== null)).toEqual([]);
    expect(c.hints).toEqual([expect.stringMatching(/^The gateway answers 404 NR: .*`gateways: \[httpbin-gateway\]`/s)]);
  });

  it('a Gateway name that does not exist: the IST0101 hint names the right one', () => {
    const c = check(1, edit(step1, '  - httpbin-gateway\n', '  - httpbin-gw\n'));
    expect(c.passed).toBe(false);
    expect(c.run!.summary.diagnostics.some((d) => d.code === 'IST0101')).toBe(true);
    expect(c.hints).toEqual([expect.stringMatching(/names a Gateway that does not exist \(IST0101\).*must name the Gateway exactly — `httpbin-gateway`/s)]);
  });

  it('a host the Gateway does not accept: 404 for httpbin.example.com', () => {
    const i = step1.lastIndexOf('  - "httpbin.example.com"');
    const wrongHost = `${step1.slice(0, i)}  - "httpbin.example.org"${step1.slice(i + '  - "httpbin.example.com"'.length)}`;
    const c = check(1, wrongHost);
    expect(c.passed).toBe(false);
    expect(c.hints[0]).toMatch(/keep its\s+`hosts:` equal to the Gateway server's hosts/);
  });

  it('step 2 with step 1\'s answer: /headers still 404 NR', () => {
    const c = check(2, step1);
    expect(c.passed).toBe(false);
    expect(c.hints[0]).toMatch(/^\/headers still gets 404 NR/);
  });

  it('a misspelled field: file, line and "did you mean \'gateways\'"', () => {
    const bad = edit(step1, '  gateways:', '  gateway:');
    const c = check(1, bad);
    expect(c.passed).toBe(false);
    expect(c.hints.join('\n')).toContain(`${WS}/${F}:${lineOf(bad, 'gateway:')}:`);
    expect(c.hints.join('\n')).toMatch(/did you mean 'gateways'/);
  });
});

describe('lab 13-egress-control (istio-semantics.md §8.10, §3)', () => {
  const ID = '13-egress-control';
  const F = 'egress.yaml';
  const step1 = labFile(ID, 'solution', F, 1);
  const check = (step: number, text: string) => checkWith(ID, step, { [F]: text });

  it('start (REGISTRY_ONLY, no ServiceEntry): httpbin.org gets 502; the hint gives the ServiceEntry', () => {
    const c = check(1, labFile(ID, 'start', F));
    expect(c.passed).toBe(false);
    expect(c.run!.summary.clients.find((x) => x.name === 'httpbin-delay')!.codes).toEqual({ '502': expect.any(Number) });
    expect(c.hints).toEqual([expect.stringMatching(/^httpbin\.org is still blocked \(502.*`hosts: \[httpbin\.org\]`/s)]);
  });

  it('a ServiceEntry for port 443 HTTPS only: http://httpbin.org (port 80) stays blocked', () => {
    const c = check(1, edit(edit(step1, 'number: 80', 'number: 443'), 'protocol: HTTP', 'protocol: HTTPS'));
    expect(c.passed).toBe(false);
    expect(c.hints[0]).toMatch(/port 80/);
  });

  it('a ServiceEntry that also lists edition.cnn.com: cnn is reachable, the hint says list only httpbin.org', () => {
    const c = check(1, edit(step1, '  - httpbin.org\n', '  - httpbin.org\n  - edition.cnn.com\n'));
    expect(c.passed).toBe(false);
    expect(c.hints[0]).toMatch(/^cnn is reachable/);
  });

  it('step 2 with the VirtualService but without the ServiceEntry: 502 again', () => {
    const sol = labFile(ID, 'solution', F);
    const vsOnly = sol.slice(sol.indexOf('---\n') + 4);
    const c = check(2, vsOnly);
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^httpbin\.org answers 502 again: the VirtualService alone/)]);
  });

  it('a misspelled field: file, line and "did you mean \'hosts\'"', () => {
    const bad = edit(step1, '  hosts:', '  host:');
    const c = check(1, bad);
    expect(c.passed).toBe(false);
    expect(c.hints.join('\n')).toContain(`${WS}/${F}:${lineOf(bad, 'host:')}:`);
    expect(c.hints.join('\n')).toMatch(/did you mean 'hosts'/);
  });
});
