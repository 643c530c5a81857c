/**
 * A gateway listens only on the ports its Gateways declare servers for: istiod builds no listener
 * otherwise, and a connection to such a port is refused (istio-semantics.md §4; istio/istio#13057
 * and #29680, "you need a Gateway and a VirtualService before it listens"). From outside the mesh
 * that is no answer at all (curl's 000); a caller's sidecar answers 503 UF after its default retries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryFiles, parseScenarioText } from '../../sim/config/index.ts';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { ROOT } from '../helpers/cli.ts';

const EDGE = ['istio-ingressgateway.yaml', 'httpbin.yaml', 'httpbin-gateway.yaml'];

function run(traffic: string) {
  const files: Record<string, string> = {};
  for (const f of EDGE) files[f] = readFileSync(join(ROOT, 'scenarios/edge', f), 'utf8');
  const text = `apiVersion: meshsim.dev/v1alpha1
kind: Scenario
metadata: {name: gateway-ports}
spec:
  seed: 2
  duration: 1s
  manifests: [${EDGE.join(', ')}]
  traffic:
${traffic}`;
  const parsed = parseScenarioText(text, 'sc.yaml', memoryFiles(files));
  if (!parsed.scenario) throw new Error(parsed.diagnostics.map((d) => d.message).join('\n'));
  const sink = new MemorySink();
  const result = runScenario(parsed.scenario, { sinks: [sink] });
  expect(checkInvariants(sink.events, result.summary, parsed.scenario)).toEqual([]);
  return result.summary;
}

describe('gateway ports without a Gateway server', () => {
  it('port 80 (server on 80 → container 8080) routes; port 443 (Service port, no server) is refused: 000 UF from outside', () => {
    const s = run(`    - {name: http, url: "http://istio-ingressgateway.istio-system:80/status/200", headers: {host: httpbin.example.com}, rate: 20/s}
    - {name: https-port, url: "http://istio-ingressgateway.istio-system:443/status/200", headers: {host: httpbin.example.com}, rate: 20/s}
`);
    const http = s.clients.find((c) => c.name === 'http')!;
    const refused = s.clients.find((c) => c.name === 'https-port')!;
    expect(http.codes).toEqual({ '200': http.requests });
    expect(refused.requests).toBeGreaterThan(5);
    expect(refused.codes).toEqual({ '0': refused.requests });
    const edge = s.edges.find((e) => e.source === 'https-port')!;
    expect(edge.flags).toEqual({ UF: refused.requests });
  });

  it("from a caller's sidecar the refusal is 503 UF, retried by Istio's default policy (connect-failure) and then UF,URX", () => {
    const s = run(`    - {name: in-mesh, from: sleep, url: "http://istio-ingressgateway.istio-system:443/status/200", headers: {host: httpbin.example.com}, rate: 20/s}
`);
    const c = s.clients.find((x) => x.name === 'in-mesh')!;
    expect(c.codes).toEqual({ '503': c.requests });
    // Each request: the first try and Istio's two default retries, all refused.
    const edge = s.edges.find((e) => e.source === 'sleep')!;
    expect(edge.requests).toBe(3 * c.requests);
    expect(edge.flags).toEqual({ UF: 2 * c.requests, 'UF,URX': c.requests });
  });
});
