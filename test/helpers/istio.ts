/**
 * Builds VirtualService and DestinationRule resources in code, plus a small Bookinfo, for routing
 * tests that should not depend on YAML. Order numbers increase with each call, standing in for
 * creation time ("oldest wins").
 */
import type { DestinationRuleSpec, VirtualServiceSpec } from '../../sim/config/istio-types.ts';
import type { DeploymentResource, DestinationRuleResource, Resource, ResourceMeta, SemanticsProfile, VirtualServiceResource } from '../../sim/config/types.ts';
import { defaultProfile } from '../../sim/config/profile.ts';
import { ControlPlane } from '../../sim/control-plane/control-plane.ts';
import { Registry, type PodInfo } from '../../sim/control-plane/registry.ts';
import type { RequestHead } from '../../sim/control-plane/types.ts';
import { deployment, namespace, service } from './build.ts';

let order = 10_000;

function meta(kind: string, name: string, ns: string): ResourceMeta {
  return {
    kind,
    apiVersion: 'networking.istio.io/v1',
    name,
    namespace: ns,
    labels: {},
    annotations: {},
    source: { file: '<test>', line: 1, col: 1 },
    order: order++,
    positions: new Map(),
  };
}

export function virtualService(name: string, spec: VirtualServiceSpec, ns = 'default'): VirtualServiceResource {
  return { kind: 'VirtualService', meta: meta('VirtualService', name, ns), spec };
}

export function destinationRule(name: string, spec: DestinationRuleSpec, ns = 'default'): DestinationRuleResource {
  return { kind: 'DestinationRule', meta: meta('DestinationRule', name, ns), spec };
}

/** DestinationRule with subsets named after `version` labels (destination-rule-all.yaml style). */
export function versionSubsets(host: string, versions: string[], extra: Partial<DestinationRuleSpec> = {}, ns = 'default'): DestinationRuleResource {
  return destinationRule(host, { host, subsets: versions.map((v) => ({ name: v, labels: { version: v } })), ...extra }, ns);
}

export function withPorts(d: DeploymentResource, ports: number[]): DeploymentResource {
  return { ...d, containerPorts: ports.map((p) => ({ containerPort: p })) };
}

/** Bookinfo's Kubernetes objects (§7.1) plus a sleep client, all on port 9080 in `default`. */
export function bookinfo(): Resource[] {
  const svc = (name: string) => ({ ...service(name, 9080), ports: [{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' as const }] });
  const dep = (name: string, app: string, version: string) => withPorts(deployment(name, { app, version }), [9080]);
  return [
    namespace('default'),
    svc('productpage'),
    svc('details'),
    svc('reviews'),
    svc('ratings'),
    dep('productpage-v1', 'productpage', 'v1'),
    dep('details-v1', 'details', 'v1'),
    dep('reviews-v1', 'reviews', 'v1'),
    dep('reviews-v2', 'reviews', 'v2'),
    dep('reviews-v3', 'reviews', 'v3'),
    dep('ratings-v1', 'ratings', 'v1'),
    deployment('sleep'),
  ];
}

/** destination-rule-all.yaml (§7.3). */
export function bookinfoSubsets(): DestinationRuleResource[] {
  return [
    versionSubsets('productpage', ['v1']),
    versionSubsets('reviews', ['v1', 'v2', 'v3']),
    versionSubsets('ratings', ['v1', 'v2']),
    versionSubsets('details', ['v1', 'v2']),
  ];
}

export function controlPlane(resources: Resource[], profile: SemanticsProfile = defaultProfile()): ControlPlane {
  return new ControlPlane({ registry: new Registry(resources), profile, resources }, 1);
}

export function podOf(cp: ControlPlane, deploymentName: string, ns = 'default'): PodInfo {
  const pod = cp.ctx.registry.pods.find((p) => p.deployment === deploymentName && p.namespace === ns);
  if (!pod) throw new Error(`no pod for ${ns}/${deploymentName}`);
  return pod;
}

/** A request head: `req('http://reviews:9080/reviews/0', {'end-user': 'jason'})`. */
export function req(url: string, headers: Record<string, string> = {}, method = 'GET'): RequestHead {
  const m = /^(https?):\/\/([^/:?]+)(?::(\d+))?([^?]*)(?:\?(.*))?$/.exec(url);
  if (!m) throw new Error(`bad url ${url}`);
  const scheme = m[1] as 'http' | 'https';
  return {
    method,
    scheme,
    host: m[2],
    port: m[3] ? Number(m[3]) : scheme === 'http' ? 80 : 443,
    path: m[4] || '/',
    query: m[5] ?? '',
    headers: new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
  };
}
