/**
 * VirtualService analyzers the control plane does not run while compiling: IST0112 (port
 * selector required), IST0131 (ineffective match), KIA1105 (same destination twice in a route),
 * KIA1106 (several VirtualServices for one host, next to the control plane's IST0109) and KIA1107
 * (subset defined by no DestinationRule, next to IST0101). They work on the prepared (resolved,
 * delegate-expanded) rules so short names and delegates mean what they mean to istiod.
 */
import type { DestinationRuleResource } from '../config/types.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { hostMatches, MESH_GATEWAY, resolveShortname } from '../control-plane/hosts.ts';
import type { Registry } from '../control-plane/registry.ts';
import type { PreparedRule, PreparedVs } from '../control-plane/virtual-services.ts';
import { ANALYZE_CODES } from './codes.ts';
import { finding } from './finding.ts';
import { isUnconditional, matchCovers } from './match-cover.ts';

interface Dest {
  host: string;
  subset?: string;
  port?: { number?: number };
}

/** Every destination a rule sends to (routes and mirrors), with its field path. */
function destinations(rule: PreparedRule): { d: Dest; path: string }[] {
  const out: { d: Dest; path: string }[] = [];
  rule.http.route?.forEach((r, j) => out.push({ d: r.destination, path: `${rule.path}.route[${j}].destination` }));
  if (rule.http.mirror) out.push({ d: rule.http.mirror, path: `${rule.path}.mirror` });
  rule.http.mirrors?.forEach((m, j) => out.push({ d: m.destination, path: `${rule.path}.mirrors[${j}].destination` }));
  return out;
}

export function analyzeVirtualServices(list: readonly PreparedVs[], drs: readonly DestinationRuleResource[], registry: Registry): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const vs of list) {
    for (const rule of vs.rules) {
      portSelector(rule, registry, out);
      subsetsExist(rule, drs, registry, out);
      duplicateDestinations(rule, out);
    }
    ineffectiveMatches(vs.rules, out);
  }
  moreThanOne(list, out);
  return out;
}

/** IST0112: Envoy cannot pick a port for a destination of a multi-port service without one. */
function portSelector(rule: PreparedRule, registry: Registry, out: Diagnostic[]): void {
  for (const { d, path } of destinations(rule)) {
    if (d.port?.number !== undefined) continue;
    const svc = registry.service(resolveShortname(d.host, rule.hostNamespace));
    if (!svc || svc.ports.length < 2) continue;
    out.push(
      finding(
        rule.source,
        `${path}.host`,
        ANALYZE_CODES.portSelectorRequired,
        'error',
        `this VirtualService routes to service "${d.host}" which has ${svc.ports.length} ports (${svc.ports.map((p) => p.port).join(', ')}); set destination.port.number to say which one`,
      ),
    );
  }
}

/** KIA1107 (Kiali's name for the subset half of IST0101): only for hosts in the registry. */
function subsetsExist(rule: PreparedRule, drs: readonly DestinationRuleResource[], registry: Registry, out: Diagnostic[]): void {
  for (const { d, path } of destinations(rule)) {
    if (!d.subset) continue;
    const fqdn = resolveShortname(d.host, rule.hostNamespace);
    if (!registry.service(fqdn)) continue;
    const defined = drs.some((dr) => hostMatches(resolveShortname(dr.spec.host, dr.meta.namespace), fqdn) && (dr.spec.subsets ?? []).some((s) => s.name === d.subset));
    if (!defined) out.push(finding(rule.source, `${path}.subset`, ANALYZE_CODES.subsetNotFound, 'warning', `subset "${d.subset}" of ${fqdn} is defined by no DestinationRule`));
  }
}

/** KIA1105: the same host+subset twice in one route list splits nothing and hides a typo. */
function duplicateDestinations(rule: PreparedRule, out: Diagnostic[]): void {
  const seen = new Set<string>();
  rule.http.route?.forEach((r, j) => {
    const key = `${resolveShortname(r.destination.host, rule.hostNamespace)}|${r.destination.subset ?? ''}|${r.destination.port?.number ?? ''}`;
    if (seen.has(key)) {
      const what = `${r.destination.host}${r.destination.subset ? ` subset ${r.destination.subset}` : ''}`;
      out.push(finding(rule.source, `${rule.path}.route[${j}].destination`, ANALYZE_CODES.duplicateDestination, 'warning', `destination ${what} appears more than once in this route; merge the weights`));
    }
    seen.add(key);
  });
}

/**
 * IST0131: a block that an earlier block (in an earlier rule, or earlier in the same rule) always
 * beats. Blocks after an unconditional one are IST0130's business and are skipped here.
 */
function ineffectiveMatches(rules: readonly PreparedRule[], out: Diagnostic[]): void {
  const earlier: { rule: number; match: number; m: PreparedRule['matches'] extends (infer T)[] | null ? T : never }[] = [];
  for (const rule of rules) {
    if (rule.matches === null) return;
    for (let k = 0; k < rule.matches.length; k++) {
      const m = rule.matches[k];
      const winner = earlier.find((e) => matchCovers(e.m.raw, m.raw));
      if (winner) {
        const where = winner.rule === rule.index ? `match ${winner.match} of the same rule` : `rule ${winner.rule} match ${winner.match}`;
        out.push(finding(rule.source, `${rule.path}.match[${k}]`, ANALYZE_CODES.ineffectiveMatch, 'warning', `match ${k} of rule ${rule.index} is never used: ${where} matches every request it would (same or broader conditions)`));
      }
      earlier.push({ rule: rule.index, match: k, m });
    }
    if (rule.matches.some((m) => isUnconditional(m.raw) || m.compiled.catchAll)) return;
  }
}

/** KIA1106: Kiali's twin of IST0109, for mesh-bound VirtualServices only (gateways merge). */
function moreThanOne(list: readonly PreparedVs[], out: Diagnostic[]): void {
  const first = new Map<string, PreparedVs>();
  for (const vs of list) {
    if (!vs.gateways.includes(MESH_GATEWAY)) continue;
    vs.hosts.forEach((h, i) => {
      const owner = first.get(h);
      if (!owner) first.set(h, vs);
      else if (owner !== vs) out.push(finding(vs.res, `spec.hosts[${i}]`, ANALYZE_CODES.moreThanOneVs, 'warning', `more than one VirtualService for host ${h} (also ${owner.key})`));
    });
  }
}

/** "fqdn|subset" for every subset some route or mirror names (for IST0173's level). */
export function routedSubsets(list: readonly PreparedVs[]): Set<string> {
  const out = new Set<string>();
  for (const vs of list) for (const rule of vs.rules) for (const { d } of destinations(rule)) if (d.subset) out.add(`${resolveShortname(d.host, rule.hostNamespace)}|${d.subset}`);
  return out;
}
