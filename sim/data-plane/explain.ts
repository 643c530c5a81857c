/**
 * "Where would this request go?" answered from config alone, with the same lookup the sidecars
 * run (DESIGN.md `meshsim route`). The JSON part is the CLI contract: `proxy`, `virtualService`,
 * `rule`, `match`, `destinations[]` {host, subset, port, weightPercent} and `result` {code, flag}
 * when config alone decides the outcome (404 NR, 503 NC/UH, a redirect, a direct response, an
 * abort fault at 100 %), else null. `lines` tell the same story in words.
 */
import type { ControlPlane } from '../control-plane/control-plane.ts';
import { shortHost } from '../control-plane/hosts.ts';
import type { PodInfo } from '../control-plane/registry.ts';
import type { ClusterConfig, RequestHead } from '../control-plane/types.ts';
import { redirectLocation } from './headers.ts';
import { lookupRoute, type RouteLookup } from './router.ts';
import { lookupGatewayRoute, type GatewayLookup } from '../control-plane/gateway.ts';

export interface RouteExplanation {
  proxy: string;
  virtualService: string | null;
  rule: number | null;
  match: number | null;
  destinations: { host: string; subset: string | null; port: number; weightPercent: number }[];
  result: { code: number; flag: string } | null;
}

export interface RouteExplainResult {
  explanation: RouteExplanation;
  lines: string[];
}

export function proxyName(pod: PodInfo): string {
  return `${pod.name}.${pod.namespace}`;
}

function pct(w: number, total: number): number {
  return Math.round((w / total) * 10000) / 100;
}

function describeHead(head: RequestHead): string {
  const port = head.port === (head.scheme === 'https' ? 443 : 80) ? '' : `:${head.port}`;
  const q = head.query ? `?${head.query}` : '';
  const hs = [...head.headers].map(([k, v]) => `${k}: ${v}`).join(', ');
  return `${head.method} ${head.scheme}://${head.host}${port}${head.path}${q}${hs ? `  [${hs}]` : ''}`;
}

function endpointsText(c: ClusterConfig): string {
  if (c.endpoints.length === 0) return 'no endpoints';
  const names = c.endpoints.map((e) => e.pod.name);
  return `${names.length} endpoint${names.length === 1 ? '' : 's'}: ${names.join(', ')}`;
}

/**
 * The route lookup the pod's proxy runs for `head`: a sidecar by service host and port; a gateway
 * (§4) by Host header among its Gateways' listeners, the port mapped through the gateway's Service
 * to the container port it listens on (as requests reach it in a run). `via` names that Service.
 */
export function lookupForProxy(cp: ControlPlane, pod: PodInfo, head: RequestHead): { look: RouteLookup | GatewayLookup; head: RequestHead; via: string | null } {
  const registry = cp.ctx.registry;
  const config = cp.configFor(pod);
  const gw = config.gateway ?? null;
  if (!gw) return { look: lookupRoute(config, registry, pod.namespace, head), head, via: null };
  const svc = registry.services.find((s) => s.ports.some((p) => p.port === head.port) && registry.selectedPods(s).includes(pod));
  const sp = svc?.ports.find((p) => p.port === head.port);
  const port = svc && sp ? registry.targetPort(sp, pod) : head.port;
  const at = port === head.port ? head : { ...head, port };
  return { look: lookupGatewayRoute(gw, at), head: at, via: svc && port !== head.port ? `${svc.namespace}/${svc.name}` : null };
}

export function explainRoute(cp: ControlPlane, pod: PodInfo, head: RequestHead): RouteExplainResult {
  const registry = cp.ctx.registry;
  const profile = cp.ctx.profile;
  const config = cp.configFor(pod);
  const out: RouteExplanation = { proxy: proxyName(pod), virtualService: null, rule: null, match: null, destinations: [], result: null };
  const lines: string[] = [];
  lines.push(`request   ${describeHead(head)}`);
  if (!pod.hasSidecar) {
    // No client sidecar: kube-proxy sends to any ready pod of the Service; VirtualServices do not apply.
    lines.push(`proxy     none: ${pod.namespace}/${pod.deployment} has no sidecar, so no VirtualService or DestinationRule applies`);
    const svc = registry.resolveHost(head.host, pod.namespace);
    if (svc) {
      out.destinations.push({ host: svc.fqdn, subset: null, port: head.port, weightPercent: 100 });
      lines.push(`destination ${svc.fqdn} port ${head.port} via kube-proxy (random ready pod)`);
    } else {
      lines.push(`host      "${head.host}" is not a service in the registry`);
    }
    return { explanation: out, lines };
  }
  // A gateway proxy picks the vhost by Host header among its Gateways' listeners (§4), as the data plane does.
  const gw = config.gateway ?? null;
  if (gw) lines.push(`proxy     ${out.proxy} (gateway ${pod.namespace}/${pod.deployment}, configured by Gateway ${gw.gateways.join(', ')})`);
  else lines.push(`proxy     ${out.proxy} (sidecar of ${pod.namespace}/${pod.deployment})`);
  const found = lookupForProxy(cp, pod, head);
  if (found.via) lines.push(`listener  port ${head.port} of Service ${found.via} → container port ${found.head.port}`);
  if (gw && !gw.listeners.has(found.head.port)) {
    lines.push(`listener  no Gateway server on port ${found.head.port} (ports: ${[...gw.listeners.keys()].sort((a, b) => a - b).join(', ')})`);
    out.result = { code: 0, flag: 'UF' };
    lines.push('result    connection refused: istiod creates no gateway listener without a Gateway server on the port (a sidecar caller sees 503 UF)');
    return { explanation: out, lines };
  }
  head = found.head;
  const look = found.look;
  switch (look.kind) {
    case 'unknown-host':
      lines.push(`host      "${head.host}" is not a service in the registry (outbound traffic policy ${profile.outboundTrafficPolicy}); meshsim cannot route it`);
      return { explanation: out, lines };
    case 'no-listener':
      lines.push(`host      ${look.service.fqdn} has no port ${head.port} (ports: ${look.service.ports.map((p) => p.port).join(', ')})`);
      out.result = { code: 0, flag: 'UF' };
      lines.push('result    connection fails (no listener for that port)');
      return { explanation: out, lines };
    case 'no-route':
      out.virtualService = look.vhost.vs;
      lines.push(`vhost     ${look.vhost.name}`);
      if (gw && look.vhost.vs === null) lines.push(`virtual service (none): no VirtualService bound to the gateway serves host "${head.host}"`);
      else lines.push(`virtual service ${look.vhost.vs ?? '(none)'}: no rule matches this request`);
      out.result = { code: 404, flag: 'NR' };
      lines.push('result    404 NR (route_not_found): Istio adds no catch-all after VirtualService rules (§1.3)');
      return { explanation: out, lines };
    case 'route':
      break;
  }
  const route = look.route;
  lines.push(`vhost     ${look.vhost.name}`);
  if (route.vs !== null) {
    out.virtualService = route.vs;
    out.rule = route.ruleIndex;
    out.match = look.match >= 0 ? look.match : null;
    const name = route.name ? ` "${route.name}"` : '';
    const from = route.delegate ? ` (delegated from ${route.delegate})` : '';
    const why = look.matched ? `match ${look.match}: ${look.matched.describe()}` : 'no match conditions (matches every request)';
    lines.push(`virtual service ${route.vs} rule ${route.ruleIndex}${name}${from}, ${why}`);
  } else {
    lines.push('virtual service (none): default route, prefix "/" to the service');
  }
  const action = route.action;
  if (action.kind === 'redirect') {
    out.result = { code: action.status, flag: '-' };
    lines.push(`result    ${action.status} redirect, location ${redirectLocation(action, head, look.matched)}`);
    return { explanation: out, lines };
  }
  if (action.kind === 'direct') {
    out.result = { code: action.status, flag: '-' };
    lines.push(`result    ${action.status} direct response from the proxy${action.body ? ` (body ${JSON.stringify(action.body)})` : ''}`);
    return { explanation: out, lines };
  }
  const clusters: (ClusterConfig | undefined)[] = [];
  for (const d of action.destinations) {
    out.destinations.push({ host: d.host, subset: d.subset, port: d.port, weightPercent: pct(d.weight, action.totalWeight) });
    const c = config.clusters.get(d.cluster);
    clusters.push(c);
    const share = action.destinations.length > 1 ? ` ${pct(d.weight, action.totalWeight)}% (weight ${d.weight} of ${action.totalWeight})` : ' 100%';
    const state = c
      ? `${endpointsText(c)}; lb ${c.hash ? `${c.hash.table === 'maglev' ? 'MAGLEV' : 'RING_HASH'} on ${c.hash.key.kind}` : c.lb.kind}${c.destinationRule ? ` (DestinationRule ${c.destinationRule})` : ''}`
      : `cluster does not exist${d.subset ? ` (no DestinationRule for ${shortHost(d.host)} defines subset "${d.subset}")` : ''}`;
    lines.push(`destination ${d.host}${d.subset ? ` subset ${d.subset}` : ''} port ${d.port}${share} → ${d.cluster}: ${state}`);
  }
  const f = route.fault;
  if (f?.delay) lines.push(`fault     delay ${f.delay.delayUs / 1000}ms for ${f.delay.ppm / 10000}% of requests (flag DI)`);
  if (f?.abort) lines.push(`fault     abort ${f.abort.status} for ${f.abort.ppm / 10000}% of requests (flag FI; never reaches the upstream, never retried)`);
  lines.push(`timeout   ${route.timeoutUs > 0 ? `${route.timeoutUs / 1000}ms for all attempts (504 UT)` : 'none'}`);
  lines.push(`retries   ${route.retryText ?? ''}`);
  for (const m of route.mirrors) lines.push(`mirror    ${m.ppm / 10000}% copied to ${m.cluster} (host gets -shadow, response discarded)`);
  if (f?.abort && f.abort.ppm >= 1_000_000) {
    out.result = { code: f.abort.status, flag: f.delay && f.delay.ppm >= 1_000_000 ? 'DI,FI' : 'FI' };
  } else if (clusters.every((c) => c === undefined)) {
    out.result = { code: 503, flag: profile.missingClusterFlag };
  } else if (clusters.every((c) => c !== undefined && c.endpoints.length === 0)) {
    out.result = { code: 503, flag: 'UH' };
  }
  if (out.result) {
    const what = out.result.flag.includes('FI')
      ? 'fault abort'
      : out.result.flag === 'UH'
        ? 'no healthy upstream (no pod carries the subset labels)'
        : 'cluster not found';
    lines.push(`result    ${out.result.code} ${out.result.flag}: ${what}`);
  } else {
    lines.push('result    decided at run time (endpoint health, load balancing, upstream answer)');
  }
  return { explanation: out, lines };
}
