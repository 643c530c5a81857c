/**
 * Kiali-style wizards as pure functions: a form's values in, a DestinationRule + VirtualService
 * YAML file out. The page writes the file into the editor as a new tab for the learner to read
 * and apply; nothing is applied behind their back. No DOM here, so Node tests load the output
 * through the real scenario loader.
 *
 * Like Kiali, every wizard writes one DestinationRule with a subset per version label of the
 * service and one VirtualService, both named after the service: applying it replaces rules of
 * the same kind/namespace/name (istio-semantics.md: a later apply of the same object wins).
 */
import { stringify } from 'yaml';

export interface WizardService {
  namespace: string;
  name: string;
  /** Version labels of the workloads behind the service, sorted; each becomes a subset. */
  versions: string[];
}

export type HeaderMatchKind = 'exact' | 'prefix' | 'regex';

export interface HeaderRoute {
  header: string;
  kind: HeaderMatchKind;
  value: string;
  /** Subset (version) the matching requests go to. */
  version: string;
}

export type WizardInput =
  | { kind: 'weighted'; service: WizardService; weights: Record<string, number> }
  | { kind: 'matching'; service: WizardService; routes: HeaderRoute[]; fallbackVersion: string | null }
  | {
      kind: 'fault';
      service: WizardService;
      /** null: route to the service without a subset. */
      version: string | null;
      delay: { percent: number; fixedDelayMs: number } | null;
      abort: { percent: number; httpStatus: number } | null;
    }
  | {
      kind: 'timeouts';
      service: WizardService;
      version: string | null;
      timeoutMs: number | null;
      retries: { attempts: number; perTryTimeoutMs: number | null; retryOn: string } | null;
    };

export interface WizardFile {
  /** File name (no folder): "<service>-<kind>.yaml". */
  name: string;
  text: string;
}

export type WizardResult = { ok: true; file: WizardFile } | { ok: false; errors: string[] };

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const RETRY_ON = /^[a-z0-9-]+(,[a-z0-9-]+)*$/;

/** Milliseconds as an Istio duration: whole seconds as "2s", anything else as "1500ms". */
export function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Keeps integer weights summing to 100 when one slider moves: the other versions share what is
 * left in proportion to their current weights (evenly when they are all 0), remainders going to
 * the earliest versions so the result does not depend on float rounding order.
 */
export function rebalanceWeights(weights: Record<string, number>, versions: readonly string[], changed: string, value: number): Record<string, number> {
  const v = Math.max(0, Math.min(100, Math.round(value)));
  const others = versions.filter((x) => x !== changed);
  const out: Record<string, number> = { [changed]: v };
  const left = 100 - v;
  if (others.length === 0) return { [changed]: 100 };
  const current = others.map((x) => Math.max(0, weights[x] ?? 0));
  const total = current.reduce((a, b) => a + b, 0);
  const exact = others.map((_, i) => (total === 0 ? left / others.length : (left * current[i]!) / total));
  const floors = exact.map(Math.floor);
  let rest = left - floors.reduce((a, b) => a + b, 0);
  // Largest remainder first; ties to the earlier version.
  const order = exact.map((x, i) => ({ i, frac: x - floors[i]! })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (rest <= 0) break;
    floors[i]! += 1;
    rest -= 1;
  }
  others.forEach((x, i) => (out[x] = floors[i]!));
  return Object.fromEntries(versions.map((x) => [x, out[x] ?? 0]));
}

/** Even split of 100 over the versions (remainder to the first ones). */
export function evenWeights(versions: readonly string[]): Record<string, number> {
  const base = Math.floor(100 / Math.max(1, versions.length));
  let rest = 100 - base * versions.length;
  return Object.fromEntries(versions.map((v) => [v, base + (rest-- > 0 ? 1 : 0)]));
}

function destinationRule(s: WizardService): object {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: s.name, namespace: s.namespace },
    spec: { host: s.name, subsets: s.versions.map((v) => ({ name: v, labels: { version: v } })) },
  };
}

function virtualService(s: WizardService, http: object[]): object {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: s.name, namespace: s.namespace }, spec: { hosts: [s.name], http } };
}

function destination(s: WizardService, version: string | null): object {
  return version === null ? { host: s.name } : { host: s.name, subset: version };
}

function percentOk(p: number): boolean {
  return Number.isFinite(p) && p >= 0 && p <= 100;
}

function check(input: WizardInput): string[] {
  const s = input.service;
  const errors: string[] = [];
  const known = (v: string | null, what: string) => {
    if (v !== null && !s.versions.includes(v)) errors.push(`${what}: ${s.name} has no version ${v} (it has ${s.versions.join(', ') || 'none'})`);
  };
  if (s.versions.length === 0 && input.kind !== 'fault' && input.kind !== 'timeouts') errors.push(`${s.name} has no workloads with a version label; there is nothing to route between`);
  switch (input.kind) {
    case 'weighted': {
      const ws = s.versions.map((v) => input.weights[v] ?? 0);
      if (ws.some((w) => !Number.isInteger(w) || w < 0 || w > 100)) errors.push('weights are whole numbers from 0 to 100');
      const sum = ws.reduce((a, b) => a + b, 0);
      if (sum !== 100) errors.push(`weights add up to ${sum}; they must add up to 100`);
      break;
    }
    case 'matching':
      if (input.routes.length === 0) errors.push('add at least one header match');
      input.routes.forEach((r, i) => {
        const n = `match ${i + 1}`;
        if (!HEADER_NAME.test(r.header)) errors.push(`${n}: header name "${r.header}" must be a lower-case HTTP token (e.g. end-user)`);
        if (r.value === '') errors.push(`${n}: the value is empty`);
        if (r.kind === 'regex') {
          try {
            new RegExp(r.value);
          } catch {
            errors.push(`${n}: "${r.value}" is not a valid regular expression (Istio uses RE2 syntax)`);
          }
        }
        known(r.version, n);
      });
      known(input.fallbackVersion, 'other requests');
      break;
    case 'fault':
      known(input.version, 'route');
      if (!input.delay && !input.abort) errors.push('choose a delay, an abort, or both');
      if (input.delay && (!percentOk(input.delay.percent) || !Number.isInteger(input.delay.fixedDelayMs) || input.delay.fixedDelayMs <= 0))
        errors.push('delay: percent from 0 to 100 and a fixed delay of at least 1 ms');
      if (input.abort && (!percentOk(input.abort.percent) || !Number.isInteger(input.abort.httpStatus) || input.abort.httpStatus < 200 || input.abort.httpStatus > 599))
        errors.push('abort: percent from 0 to 100 and an HTTP status from 200 to 599');
      break;
    case 'timeouts':
      known(input.version, 'route');
      if (input.timeoutMs === null && !input.retries) errors.push('set a timeout, retries, or both');
      if (input.timeoutMs !== null && (!Number.isInteger(input.timeoutMs) || input.timeoutMs <= 0)) errors.push('timeout: a whole number of milliseconds ≥ 1');
      if (input.retries) {
        const r = input.retries;
        if (!Number.isInteger(r.attempts) || r.attempts < 0 || r.attempts > 100) errors.push('retries: attempts from 0 to 100');
        if (r.perTryTimeoutMs !== null && (!Number.isInteger(r.perTryTimeoutMs) || r.perTryTimeoutMs <= 0)) errors.push('retries: per-try timeout ≥ 1 ms');
        if (!RETRY_ON.test(r.retryOn)) errors.push(`retries: retryOn "${r.retryOn}" must be a comma-separated list like 5xx,connect-failure`);
      }
      break;
  }
  return errors;
}

function httpRoutes(input: WizardInput): object[] {
  const s = input.service;
  switch (input.kind) {
    case 'weighted': {
      const used = s.versions.filter((v) => (input.weights[v] ?? 0) > 0);
      // One destination needs no weight (Istio's default is 100).
      if (used.length === 1) return [{ route: [{ destination: destination(s, used[0]!) }] }];
      return [{ route: used.map((v) => ({ destination: destination(s, v), weight: input.weights[v] })) }];
    }
    case 'matching': {
      const rules: object[] = input.routes.map((r) => ({ match: [{ headers: { [r.header]: { [r.kind]: r.value } } }], route: [{ destination: destination(s, r.version) }] }));
      // Requests matching nothing: without this rule they would get 404 NR from the VirtualService.
      rules.push({ route: [{ destination: destination(s, input.fallbackVersion) }] });
      return rules;
    }
    case 'fault': {
      const fault: Record<string, object> = {};
      if (input.delay) fault.delay = { percentage: { value: input.delay.percent }, fixedDelay: durationText(input.delay.fixedDelayMs) };
      if (input.abort) fault.abort = { percentage: { value: input.abort.percent }, httpStatus: input.abort.httpStatus };
      return [{ fault, route: [{ destination: destination(s, input.version) }] }];
    }
    case 'timeouts': {
      const rule: Record<string, unknown> = { route: [{ destination: destination(s, input.version) }] };
      if (input.timeoutMs !== null) rule.timeout = durationText(input.timeoutMs);
      if (input.retries) {
        const r = input.retries;
        rule.retries = { attempts: r.attempts, ...(r.perTryTimeoutMs !== null ? { perTryTimeout: durationText(r.perTryTimeoutMs) } : {}), retryOn: r.retryOn };
      }
      return [rule];
    }
  }
}

const TITLES: Record<WizardInput['kind'], string> = {
  weighted: 'weighted routing',
  matching: 'request matching',
  fault: 'fault injection',
  timeouts: 'request timeouts and retries',
};

export function generateWizardYaml(input: WizardInput): WizardResult {
  const errors = check(input);
  if (errors.length > 0) return { ok: false, errors };
  const s = input.service;
  const header = [
    `# Written by the ${TITLES[input.kind]} wizard for ${s.namespace}/${s.name}.`,
    '# Read it, edit it if you like, and press Run: this file is layered over the scenario at t=0,',
    '# replacing any DestinationRule or VirtualService with the same namespace and name.',
  ].join('\n');
  const docs = [destinationRule(s), virtualService(s, httpRoutes(input))].map((d) => stringify(d, { lineWidth: 0 }));
  return { ok: true, file: { name: `${s.name}-${input.kind}.yaml`, text: `${header}\n${docs.join('---\n')}` } };
}
