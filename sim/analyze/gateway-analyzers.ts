/**
 * Gateway analyzers (istio-semantics.md §4): IST0104 (a server port the gateway workload's
 * Service does not expose, so nothing outside can reach it) and IST0132 (a VirtualService host
 * that no server of a Gateway it binds to accepts, so the gateway never routes it).
 */
import type { GatewayResource } from '../config/types.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { MESH_GATEWAY } from '../control-plane/hosts.ts';
import { labelsMatch, type Registry } from '../control-plane/registry.ts';
import type { PreparedVs } from '../control-plane/virtual-services.ts';
import { ANALYZE_CODES } from './codes.ts';
import { finding } from './finding.ts';

export function analyzeGateways(gws: readonly GatewayResource[], list: readonly PreparedVs[], registry: Registry): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const gw of gws) portsOnService(gw, registry, out);
  const byKey = new Map(gws.map((g) => [`${g.meta.namespace}/${g.meta.name}`, g]));
  for (const vs of list) {
    for (const key of vs.gateways) {
      if (key === MESH_GATEWAY) continue;
      const gw = byKey.get(key);
      // A missing Gateway is IST0101, reported by the control plane.
      if (gw) hostsInGateway(vs, gw, out);
    }
  }
  return out;
}

/** IST0104: istioctl compares server ports with the port and targetPort of the Services selecting the gateway pods. */
function portsOnService(gw: GatewayResource, registry: Registry, out: Diagnostic[]): void {
  const sel = gw.spec.selector ?? {};
  const pods = registry.pods.filter((p) => labelsMatch(sel, p.labels));
  // No gateway pod is IST0101 (selector not found); no Service in front of them says nothing about ports.
  if (pods.length === 0) return;
  const services = registry.services.filter((s) => !s.serviceEntry && pods.some((p) => p.namespace === s.namespace && Object.keys(s.selector).length > 0 && labelsMatch(s.selector, p.labels)));
  if (services.length === 0) return;
  const exposed = new Set<number>();
  for (const s of services) {
    for (const p of s.ports) {
      exposed.add(p.port);
      for (const pod of pods) exposed.add(registry.targetPort(p, pod));
    }
  }
  (gw.spec.servers ?? []).forEach((srv, i) => {
    if (exposed.has(srv.port.number)) return;
    out.push(
      finding(
        gw,
        `spec.servers[${i}].port.number`,
        ANALYZE_CODES.gatewayPortNotOnService,
        'warning',
        `port ${srv.port.number} is not exposed by the gateway's Service (${services.map((s) => `${s.namespace}/${s.name}`).join(', ')} expose ${[...exposed].sort((a, b) => a - b).join(', ')})`,
      ),
    );
  });
}

/** Gateway server host "[ns/]dns" against a VirtualService host, wildcards on either side (§4). */
function serverHostAccepts(entry: string, vsNs: string, gwNs: string, host: string): boolean {
  const slash = entry.indexOf('/');
  const ns = slash < 0 ? '*' : entry.slice(0, slash);
  const dns = slash < 0 ? entry : entry.slice(slash + 1);
  if (ns !== '*' && (ns === '.' ? gwNs : ns) !== vsNs) return false;
  if (dns === '*' || dns === host) return true;
  if (dns.startsWith('*.') && host.endsWith(dns.slice(1))) return true;
  // A wildcard VirtualService host overlaps a concrete server host it covers.
  return host.startsWith('*.') && dns.endsWith(host.slice(1));
}

/** IST0132: checked on the hosts as written (gateway hosts are not short-name expanded). */
function hostsInGateway(vs: PreparedVs, gw: GatewayResource, out: Diagnostic[]): void {
  const written = vs.res.spec.hosts ?? [];
  written.forEach((h, i) => {
    const ok = (gw.spec.servers ?? []).some((s) => s.hosts.some((e) => serverHostAccepts(e, vs.namespace, gw.meta.namespace, h) || serverHostAccepts(e, vs.namespace, gw.meta.namespace, vs.hosts[i] ?? h)));
    if (ok) return;
    out.push(finding(vs.res, `spec.hosts[${i}]`, ANALYZE_CODES.hostNotInGateway, 'warning', `host "${h}" is not among the hosts of Gateway ${gw.meta.namespace}/${gw.meta.name}; that gateway never routes it here`));
  });
}
