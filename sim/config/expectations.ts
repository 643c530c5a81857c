/**
 * `spec.expect` entries → ExpectationSpecs: scopes checked against the scenario's names, units
 * parsed, one ExpectationSpec per check. Kept apart from the scenario resolver so other front ends
 * (labs) can resolve expectation entries against an already loaded scenario with the same rules.
 * The language is documented in docs/expectations.md.
 */
import { z } from 'zod';
import type { Diagnostic, DiagnosticLevel, SourceLocation } from '../domain/diagnostics.ts';
import { parseDuration, US_PER_S } from '../domain/time.ts';
import { CODES } from './codes.ts';
import { blockingIssuePaths, issuesToDiagnostics } from './issues.ts';
import { expectationSchema, type ExpectationInput } from './scenario-schema.ts';
import { splitFromConfig } from './split-from-config.ts';
import { didYouMean, listNames } from './suggest.ts';
import type { Comparison, ExpectationCheck, ExpectationScope, ExpectationSpec, ExpectationTemporal, ResolvedScenario, Resource, TimelineAction, VirtualServiceResource } from './types.ts';
import { timelineResources } from './types.ts';
import { parseComparison, parseCount, parsePercent } from './units.ts';
import { emptyIndex, formatPath, locate, locateKey, pathStartsWith } from './yaml-source.ts';
import type { PathSeg, PosIndex } from './yaml-source.ts';

export const DEFAULT_CONFIDENCE = 0.999;
export const DEFAULT_BUCKET_US = 5 * US_PER_S;
/** Split shares must add up to 100% within this many percentage points. */
const SPLIT_SUM_SLACK = 0.005;
/** More buckets than this would make per-bucket statistics meaningless (and cost memory). */
const MAX_BUCKETS = 10_000;

const LATENCY_KEYS: Record<string, number> = { p50: 50, p90: 90, p95: 95, p99: 99, p999: 99.9, max: 100 };

const CHECK_FIELDS = ['split', 'latency', 'errorRate', 'successRate', 'codes', 'counts', 'requests', 'neverReaches', 'retries', 'ejections', 'proxyConfig'] as const;

/** Where diagnostics go; the scenario resolver passes itself. */
export interface ExpectationReporter {
  error(path: PathSeg[], message: string, code?: string, atKey?: boolean): void;
  warn(path: PathSeg[], message: string, code?: string): void;
  at(path: PathSeg[]): SourceLocation | null;
  /** False when a shape error sits at, above or inside `path` (then the entry is skipped). */
  intact(path: PathSeg[]): boolean;
}

/** What the expectations may refer to. */
export interface ExpectationWorld {
  durationUs: number;
  maxSimTimeUs: number;
  clientNames: string[];
  deploymentNames: string[];
  /** "ns/name" of Deployments that failed to load (references to them are not reported twice). */
  rejectedDeployments: string[];
  serviceNames: string[];
  /** Resources at t=0 and the timeline, for rule references and `split: fromConfig`. */
  resources: readonly Resource[];
  timeline: readonly TimelineAction[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

function copyScope(scope: ExpectationScope): ExpectationScope {
  const out: ExpectationScope = {};
  if (scope.client !== undefined) out.client = scope.client;
  if (scope.edge) out.edge = { ...scope.edge };
  if (scope.rule) out.rule = { ...scope.rule };
  if (scope.workload !== undefined) out.workload = scope.workload;
  if (scope.window) out.window = { ...scope.window };
  return out;
}

/** Resolves `entries` (found at `base`, e.g. ['spec', 'expect']); problems go to `r`. */
export function resolveExpectations(entries: readonly ExpectationInput[], base: PathSeg[], world: ExpectationWorld, r: ExpectationReporter): ExpectationSpec[] {
  return new EntryResolver(world, r).all(entries, base);
}

class EntryResolver {
  constructor(
    private readonly world: ExpectationWorld,
    private readonly r: ExpectationReporter,
  ) {}

  all(entries: readonly ExpectationInput[], base: PathSeg[]): ExpectationSpec[] {
    const out: ExpectationSpec[] = [];
    const seen = new Map<string, number>();
    entries.forEach((e, i) => {
      const path: PathSeg[] = [...base, i];
      if (isRecord(e) && typeof e.name === 'string') {
        if (seen.has(e.name)) this.r.error([...path, 'name'], `expectation name '${e.name}' is already used by expect[${seen.get(e.name)}]; names must be unique`);
        else seen.set(e.name, i);
      }
      if (!this.r.intact(path)) return;
      const scope = this.scope(e, path);
      const temporal = this.temporal(e, path, scope);
      const checks = this.checks(e, path, scope);
      if (temporal) {
        for (const c of checks) {
          if (c.check.kind === 'proxyConfig' || c.check.kind === 'splitCounts') {
            this.r.error(path, `${c.check.kind === 'proxyConfig' ? 'proxyConfig' : 'exact split counts'} cannot be judged per bucket; remove always/eventually or put it in its own entry`);
          }
        }
      }
      const source = this.r.at(path);
      for (const c of checks) {
        const spec: ExpectationSpec = { name: checks.length > 1 ? `${e.name} (${c.label})` : e.name, scope: copyScope(scope), check: c.check, source };
        if (temporal) spec.temporal = { ...temporal };
        out.push(spec);
      }
    });
    return out;
  }

  private duration(value: unknown, path: PathSeg[]): number {
    if (!this.r.intact(path)) return -1;
    const d = parseDuration(value);
    if (!d.ok) {
      this.r.error(path, d.error);
      return -1;
    }
    return d.us;
  }

  // ---- scope ----
  private scope(e: ExpectationInput, path: PathSeg[]): ExpectationScope {
    const w = this.world;
    const scope: ExpectationScope = {};
    if (e.client !== undefined) {
      if (!w.clientNames.includes(e.client)) {
        this.r.error([...path, 'client'], `client '${e.client}' names no traffic entry${didYouMean(e.client, w.clientNames)}; clients: ${listNames(w.clientNames)}`, CODES.reference);
      }
      scope.client = e.client;
    }
    if (e.edge) {
      const edge: NonNullable<ExpectationScope['edge']> = {};
      if (e.edge.from !== undefined) {
        if (!this.isDeployment(e.edge.from) && !w.clientNames.includes(e.edge.from)) {
          this.r.error(
            [...path, 'edge', 'from'],
            `edge.from '${e.edge.from}' names no Deployment or client${didYouMean(e.edge.from, [...w.deploymentNames, ...w.clientNames])}; deployments: ${listNames(w.deploymentNames)}`,
            CODES.reference,
          );
        }
        edge.from = e.edge.from;
      }
      if (e.edge.service !== undefined) {
        if (!w.serviceNames.includes(e.edge.service)) {
          this.r.warn(
            [...path, 'edge', 'service'],
            `edge.service '${e.edge.service}' is not a Service in the loaded manifests${didYouMean(e.edge.service, w.serviceNames)}; services: ${listNames(w.serviceNames)}`,
            CODES.reference,
          );
        }
        edge.service = e.edge.service;
      }
      if (e.edge.to !== undefined) {
        this.checkDeployment(e.edge.to, [...path, 'edge', 'to'], 'edge.to');
        edge.to = e.edge.to;
      }
      scope.edge = edge;
    }
    if (e.rule) {
      const rule = this.rule(e.rule, [...path, 'rule']);
      if (rule) scope.rule = rule;
    }
    if (e.workload !== undefined) {
      this.checkDeployment(e.workload, [...path, 'workload'], 'workload');
      if (e.edge?.to !== undefined && e.edge.to !== e.workload) {
        this.r.error([...path, 'workload'], `workload '${e.workload}' and edge.to '${e.edge.to}' select different workloads, so nothing is in scope; keep one`);
      }
      scope.workload = e.workload;
    }
    if (e.during !== undefined && e.after !== undefined) {
      this.r.error(path, 'use either during or after, not both');
    } else if (e.during !== undefined) {
      const from = this.duration(e.during[0], [...path, 'during', 0]);
      const to = this.duration(e.during[1], [...path, 'during', 1]);
      if (from >= 0 && to >= 0) {
        if (to <= from) this.r.error([...path, 'during'], `during [${e.during[0]}, ${e.during[1]}] is empty: the end must be after the start`);
        scope.window = { fromUs: from, toUs: to };
      }
    } else if (e.after !== undefined) {
      const from = this.duration(e.after, [...path, 'after']);
      if (from >= 0) {
        if (from >= w.durationUs) this.r.warn([...path, 'after'], `after ${e.after} is not before the end of traffic (${w.durationUs / US_PER_S}s): few or no requests are in scope`);
        scope.window = { fromUs: from, toUs: w.maxSimTimeUs };
      }
    }
    return scope;
  }

  private isDeployment(name: string): boolean {
    return this.world.deploymentNames.includes(name) || this.world.rejectedDeployments.some((r) => r.endsWith(`/${name}`));
  }

  private checkDeployment(name: string, path: PathSeg[], label: string): void {
    if (this.isDeployment(name)) return;
    const names = this.world.deploymentNames;
    this.r.error(path, `${label} '${name}' names no Deployment${didYouMean(name, names)}; deployments: ${listNames(names)}`, CODES.reference);
  }

  /** Every VirtualService the run may ever have, by "ns/name"; the latest definition wins. */
  private virtualServices(): Map<string, VirtualServiceResource> {
    const out = new Map<string, VirtualServiceResource>();
    const add = (r: Resource): void => {
      if (r.kind === 'VirtualService') out.set(`${r.meta.namespace}/${r.meta.name}`, r);
    };
    for (const r of this.world.resources) add(r);
    for (const a of this.world.timeline) for (const r of timelineResources(a)) add(r);
    return out;
  }

  private rule(input: NonNullable<ExpectationInput['rule']>, path: PathSeg[]): ExpectationScope['rule'] | null {
    const key = input.virtualService.includes('/') ? input.virtualService : `default/${input.virtualService}`;
    if ((input.index === undefined) === (input.name === undefined)) {
      this.r.error(path, 'rule needs exactly one of index (0-based) and name');
      return null;
    }
    const all = this.virtualServices();
    const vs = all.get(key);
    if (!vs) {
      const names = [...all.keys()].sort();
      this.r.error([...path, 'virtualService'], `no VirtualService ${key} is loaded${didYouMean(key, names)}; VirtualServices: ${listNames(names)}`, CODES.reference);
      return null;
    }
    const http = vs.spec.http ?? [];
    if (input.name !== undefined) {
      const index = http.findIndex((h) => h.name === input.name);
      if (index < 0) {
        const names = http.map((h) => h.name).filter((n): n is string => n !== undefined);
        this.r.error([...path, 'name'], `VirtualService ${key} has no http rule named '${input.name}'${didYouMean(input.name, names)}; named rules: ${listNames(names)}`, CODES.reference);
        return null;
      }
      return { virtualService: key, index };
    }
    const index = input.index!;
    if (index >= http.length) {
      this.r.error([...path, 'index'], `VirtualService ${key} has ${http.length} http rule${http.length === 1 ? '' : 's'} (indexes 0–${http.length - 1}), not ${index}`, CODES.reference);
      return null;
    }
    return { virtualService: key, index };
  }

  // ---- over time ----
  private temporal(e: ExpectationInput, path: PathSeg[], scope: ExpectationScope): ExpectationTemporal | null {
    if (e.always && e.eventually) {
      this.r.error(path, 'use either always or eventually, not both');
      return null;
    }
    const mode = e.always ? 'always' : e.eventually ? 'eventually' : null;
    if (mode === null) {
      if (e.bucket !== undefined) this.r.error([...path, 'bucket'], 'bucket only applies with always: true or eventually: true', CODES.scenario, true);
      return null;
    }
    let bucketUs = DEFAULT_BUCKET_US;
    if (e.bucket !== undefined) {
      bucketUs = this.duration(e.bucket, [...path, 'bucket']);
      if (bucketUs < 0) return null;
      if (bucketUs === 0) {
        this.r.error([...path, 'bucket'], 'bucket must be > 0, e.g. "5s"');
        return null;
      }
    }
    const fromUs = scope.window?.fromUs ?? 0;
    const toUs = Math.min(scope.window?.toUs ?? this.world.durationUs, this.world.maxSimTimeUs);
    if ((toUs - fromUs) / bucketUs > MAX_BUCKETS) {
      this.r.error(e.bucket !== undefined ? [...path, 'bucket'] : path, `a ${bucketUs / US_PER_S}s bucket cuts the window into more than ${MAX_BUCKETS} buckets; use a wider bucket`);
      return null;
    }
    return { mode, bucketUs };
  }

  // ---- checks ----
  private comparison(input: string, path: PathSeg[]): { op: Comparison; rest: string } | null {
    const c = parseComparison(input);
    if (!c.ok) {
      this.r.error(path, c.error);
      return null;
    }
    return c.value;
  }

  private checks(e: ExpectationInput, path: PathSeg[], scope: ExpectationScope): { label: string; check: ExpectationCheck }[] {
    const out: { label: string; check: ExpectationCheck }[] = [];
    if (e.split !== undefined) {
      const split = this.split(e, path, scope);
      if (split) out.push({ label: 'split', check: split });
    } else {
      for (const k of ['splitBy', 'tolerance', 'exact'] as const) {
        if (e[k] !== undefined) this.r.error([...path, k], `${k} only applies to a split check; add split: {...} or remove ${k}`, CODES.scenario, true);
      }
    }
    if (e.latency) this.latency(e.latency, [...path, 'latency'], out);
    for (const k of ['errorRate', 'successRate'] as const) {
      const v = e[k];
      if (v === undefined) continue;
      const c = this.comparison(v, [...path, k]);
      if (!c) continue;
      const f = parsePercent(c.rest);
      if (!f.ok) this.r.error([...path, k], f.error);
      else out.push({ label: k, check: { kind: k, op: c.op, fraction: f.value } });
    }
    if (e.codes) {
      for (const [code, v] of Object.entries(e.codes)) {
        const c = this.comparison(v, [...path, 'codes', code]);
        if (!c) continue;
        const f = parsePercent(c.rest);
        if (!f.ok) this.r.error([...path, 'codes', code], `${f.error} (codes compares shares; use counts for numbers of requests)`);
        else out.push({ label: `code ${code}`, check: { kind: 'code', code, op: c.op, fraction: f.value, count: null } });
      }
    }
    if (e.counts) {
      for (const [code, v] of Object.entries(e.counts)) {
        const c = this.comparison(v, [...path, 'counts', code]);
        if (!c) continue;
        const n = parseCount(c.rest);
        if (!n.ok) this.r.error([...path, 'counts', code], `${n.error} (counts compares numbers of requests; use codes for shares)`);
        else out.push({ label: `count ${code}`, check: { kind: 'code', code, op: c.op, fraction: null, count: n.value } });
      }
    }
    if (e.requests !== undefined) {
      const c = this.comparison(e.requests, [...path, 'requests']);
      const n = c ? parseCount(c.rest) : null;
      if (n && !n.ok) this.r.error([...path, 'requests'], n.error);
      else if (c && n?.ok) out.push({ label: 'requests', check: { kind: 'requests', op: c.op, count: n.value } });
    }
    if (e.neverReaches !== undefined) {
      const list = typeof e.neverReaches === 'string' ? [e.neverReaches] : e.neverReaches;
      list.forEach((w, i) => this.checkDeployment(w, typeof e.neverReaches === 'string' ? [...path, 'neverReaches'] : [...path, 'neverReaches', i], 'neverReaches'));
      out.push({ label: 'never reaches', check: { kind: 'neverReaches', workloads: [...list] } });
    }
    if (e.retries !== undefined) {
      const c = this.comparison(e.retries, [...path, 'retries']);
      if (c) {
        if (c.rest.trim().endsWith('%')) {
          const f = parsePercent(c.rest);
          if (!f.ok) this.r.error([...path, 'retries'], f.error);
          else out.push({ label: 'retries', check: { kind: 'retries', op: c.op, count: null, fraction: f.value } });
        } else {
          const n = parseCount(c.rest);
          if (!n.ok) this.r.error([...path, 'retries'], `${n.error} (a count such as "<= 10", or a share of attempts such as "< 5%")`);
          else out.push({ label: 'retries', check: { kind: 'retries', op: c.op, count: n.value, fraction: null } });
        }
      }
    }
    if (e.ejections !== undefined) {
      const c = this.comparison(e.ejections, [...path, 'ejections']);
      const n = c ? parseCount(c.rest) : null;
      if (n && !n.ok) this.r.error([...path, 'ejections'], n.error);
      else if (c && n?.ok) out.push({ label: 'ejections', check: { kind: 'ejections', op: c.op, count: n.value } });
    }
    if (e.proxyConfig !== undefined) {
      const p = [...path, 'proxyConfig'];
      if (scope.client !== undefined || scope.edge !== undefined || scope.rule !== undefined || scope.window !== undefined) {
        this.r.error(p, 'proxyConfig looks at proxies, not requests: its only scope is workload (and by); remove client, edge, rule, during and after');
      }
      const byUs = this.duration(e.proxyConfig.by, [...p, 'by']);
      if (byUs >= 0) out.push({ label: 'proxy config', check: { kind: 'proxyConfig', version: e.proxyConfig.version, byUs } });
    }
    if (e.split === undefined && e.confidence !== undefined) this.applyConfidence(e.confidence, [...path, 'confidence'], out);
    const any = CHECK_FIELDS.some((k) => (e as Record<string, unknown>)[k] !== undefined);
    if (!any) this.r.error(path, `expectation '${e.name}' checks nothing; add one of ${CHECK_FIELDS.join(', ')}`);
    return out;
  }

  /** `confidence` without a split sets the bound of the entry's `== x%` checks. */
  private applyConfidence(input: string | number, path: PathSeg[], out: { label: string; check: ExpectationCheck }[]): void {
    const statistical = out.filter(({ check: c }) => (c.kind === 'code' || c.kind === 'errorRate' || c.kind === 'successRate' || c.kind === 'retries') && c.op === '==' && c.fraction !== null);
    if (statistical.length === 0) {
      this.r.error(path, 'confidence applies to a split or to a share compared with == (e.g. codes: {"503": "== 10%"}); remove it', CODES.scenario, true);
      return;
    }
    const c = parsePercent(input);
    if (!c.ok || c.value <= 0 || c.value >= 1) {
      this.r.error(path, c.ok ? 'confidence must be between 0% and 100% (exclusive), e.g. 99.9%' : c.error);
      return;
    }
    for (const { check } of statistical) (check as { confidence?: number }).confidence = c.value;
  }

  private latency(input: NonNullable<ExpectationInput['latency']>, path: PathSeg[], out: { label: string; check: ExpectationCheck }[]): void {
    for (const [k, v] of Object.entries(input)) {
      if (v === undefined) continue;
      const p = [...path, k];
      const c = this.comparison(v, p);
      if (!c) continue;
      const d = parseDuration(c.rest);
      if (!d.ok) {
        this.r.error(p, `latency bound: ${d.error}`);
        continue;
      }
      const check: ExpectationCheck =
        k === 'mean'
          ? { kind: 'latency', percentile: 50, statistic: 'mean', op: c.op, valueUs: d.us }
          : { kind: 'latency', percentile: LATENCY_KEYS[k], op: c.op, valueUs: d.us };
      out.push({ label: k, check });
    }
    if (Object.keys(input).length === 0) this.r.error(path, 'latency needs at least one bound, e.g. {p99: "< 100ms"}');
  }

  private split(e: ExpectationInput, path: PathSeg[], scope: ExpectationScope): ExpectationCheck | null {
    const by = e.splitBy ?? 'version';
    let ok = true;
    let tolerance: number | null = null;
    if (e.tolerance !== undefined && e.tolerance !== null) {
      const t = parsePercent(e.tolerance);
      if (!t.ok) {
        this.r.error([...path, 'tolerance'], t.error);
        ok = false;
      } else tolerance = t.value;
    }
    let confidence = DEFAULT_CONFIDENCE;
    if (e.confidence !== undefined) {
      const c = parsePercent(e.confidence);
      if (!c.ok || c.value <= 0 || c.value >= 1) {
        this.r.error([...path, 'confidence'], c.ok ? 'confidence must be between 0% and 100% (exclusive), e.g. 99.9%' : c.error);
        ok = false;
      } else confidence = c.value;
    }

    if (e.split === 'fromConfig') {
      if (e.exact) {
        this.r.error([...path, 'exact'], 'exact counts cannot come from config (weights give shares, not counts); drop exact or write the counts', CODES.scenario, true);
        return null;
      }
      // A rule reference that failed was reported already; reading weights from nothing would only repeat it.
      if (e.rule !== undefined && scope.rule === undefined) return null;
      const w = this.world;
      const found = splitFromConfig(
        { service: scope.edge?.service, from: scope.edge?.from, rule: scope.rule, by, window: scope.window, durationUs: w.durationUs },
        w.resources,
        w.timeline,
      );
      if (!found.ok) {
        this.r.error([...path, 'split'], `split: fromConfig: ${found.error}`);
        return null;
      }
      return ok ? { kind: 'split', by, shares: found.shares, tolerance, confidence, origin: found.origin } : null;
    }

    const entries = Object.entries(e.split ?? {});
    if (entries.length === 0) {
      this.r.error([...path, 'split'], 'split needs at least one share, e.g. {v1: 100%}');
      return null;
    }
    if (e.exact) {
      for (const k of ['tolerance', 'confidence'] as const) {
        if (e[k] !== undefined) this.r.error([...path, k], `${k} does not apply to exact counts; remove it or drop exact`, CODES.scenario, true);
      }
      const counts: Record<string, number> = {};
      for (const [k, v] of entries) {
        const n = typeof v === 'number' ? (Number.isSafeInteger(v) && v >= 0 ? { ok: true as const, value: v } : { ok: false as const, error: `${v} is not a whole count` }) : parseCount(v);
        if (!n.ok) {
          this.r.error([...path, 'split', k], `${n.error} (with exact: true, split values are request counts such as 206)`);
          ok = false;
        } else counts[k] = n.value;
      }
      return ok ? { kind: 'splitCounts', by, counts } : null;
    }
    const shares: Record<string, number> = {};
    let sum = 0;
    for (const [k, v] of entries) {
      const p = parsePercent(v);
      if (!p.ok) {
        this.r.error([...path, 'split', k], p.error);
        ok = false;
      } else {
        shares[k] = p.value;
        sum += p.value;
      }
    }
    if (ok && Math.abs(sum - 1) > SPLIT_SUM_SLACK) {
      this.r.error([...path, 'split'], `split shares add up to ${round(sum * 100)}%, they must add up to 100% (±0.5)`);
      ok = false;
    }
    return ok ? { kind: 'split', by, shares, tolerance, confidence } : null;
  }
}

/** Where expectation entries given outside a scenario file come from (a lab step, a test). */
export interface EntrySource {
  file: string;
  /** Positions of the YAML the entries were read from; without it diagnostics carry paths only. */
  index?: PosIndex;
  /** Path of the entry list inside that YAML, e.g. ['steps', 2, 'expect']. */
  base?: PathSeg[];
}

/**
 * Validates and resolves expectation entries against an already loaded scenario, with the same
 * rules and messages as `spec.expect` (labs check each step with their own entries this way).
 */
export function resolveExpectationEntries(entries: unknown, scenario: ResolvedScenario, where: EntrySource): { expectations: ExpectationSpec[]; diagnostics: Diagnostic[] } {
  const index = where.index ?? emptyIndex(where.file);
  const base = where.base ?? [];
  const diagnostics: Diagnostic[] = [];
  const schema = z.array(expectationSchema);
  const parsed = schema.safeParse(entries, { reportInput: true });
  let blocking: PathSeg[][] = [];
  if (!parsed.success) {
    diagnostics.push(...issuesToDiagnostics(parsed.error.issues, { resource: '', index, base, schema, code: CODES.scenario }));
    blocking = blockingIssuePaths(parsed.error.issues);
    if (!Array.isArray(entries)) return { expectations: [], diagnostics };
  }
  const report = (level: DiagnosticLevel, path: PathSeg[], message: string, code: string, atKey: boolean): void => {
    diagnostics.push({ code, level, resource: '', message, source: atKey ? locateKey(index, path) : locate(index, path), path: formatPath(path) });
  };
  const deployments = new Set<string>();
  const services = new Set<string>();
  const collect = (r: Resource): void => {
    if (r.kind === 'Deployment') deployments.add(r.meta.name);
    if (r.kind === 'Service') services.add(r.meta.name);
  };
  scenario.resources.forEach(collect);
  for (const a of scenario.timeline) timelineResources(a).forEach(collect);
  const relative = (path: PathSeg[]): PathSeg[] => path.slice(base.length);
  const world: ExpectationWorld = {
    durationUs: scenario.durationUs,
    maxSimTimeUs: scenario.budgets.maxSimTimeUs,
    clientNames: scenario.traffic.map((t) => t.name),
    deploymentNames: [...deployments],
    rejectedDeployments: [],
    serviceNames: [...services],
    resources: scenario.resources,
    timeline: scenario.timeline,
  };
  const expectations = resolveExpectations(entries as ExpectationInput[], base, world, {
    error: (path, message, code = CODES.scenario, atKey = false) => report('error', path, message, code, atKey),
    warn: (path, message, code = CODES.scenario) => report('warning', path, message, code, false),
    at: (path) => locate(index, path),
    intact: (path) => !blocking.some((b) => pathStartsWith(relative(path), b) || pathStartsWith(b, relative(path))),
  });
  return { expectations: diagnostics.some((d) => d.level === 'error') ? [] : expectations, diagnostics };
}

