/**
 * `meshsim route <manifests>... --from WORKLOAD --url URL [-H 'k: v']... [--method M] [--json]`:
 * explains where one request would go, from config alone, without running traffic (DESIGN.md
 * CLI contract). Text by default; `--json` prints the contract object
 * {proxy, virtualService, rule, match, destinations[], result}. Compile diagnostics (unreachable
 * rules, unknown subsets, the `reviews.default` trap …) go to stderr.
 * Exit 0 when explained, 2 for invalid input.
 */
import { defaultProfile, loadManifests, parseUrl } from '../config/index.ts';
import { ControlPlane } from '../control-plane/control-plane.ts';
import { Registry, type PodInfo } from '../control-plane/registry.ts';
import type { RequestHead } from '../control-plane/types.ts';
import { explainRoute } from '../data-plane/explain.ts';
import { InputError, formatDiagnostic, type Diagnostic } from '../domain/diagnostics.ts';
import { didYouMean } from '../config/suggest.ts';
import { UsageError } from './errors.ts';
import { nodeFiles } from './node-files.ts';

export interface RouteArgs {
  manifests: string[];
  /** Deployment name, or "namespace/name". */
  from: string;
  url: string;
  /** "name: value" strings. */
  headers: string[];
  method: string;
  json: boolean;
  /** Istio version for the semantics profile (default: current). */
  istioVersion?: string;
}

export interface RouteIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: RouteIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

export async function routeCommand(args: RouteArgs, io: RouteIo = stdio): Promise<number> {
  try {
    return explain(args, io);
  } catch (e) {
    if (e instanceof InputError) {
      io.err(e.diagnostics.map(formatDiagnostic).join('\n') + '\n');
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`meshsim route: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function explain(args: RouteArgs, io: RouteIo): number {
  if (args.manifests.length === 0) throw new UsageError('give at least one manifest file');
  let profile;
  try {
    profile = defaultProfile(args.istioVersion);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { resources, diagnostics } = loadManifests(args.manifests, nodeFiles(), { profile });
  const head = requestHead(args);
  const registry = new Registry(resources);
  const pod = findPod(registry, args.from);
  const cp = new ControlPlane({ registry, profile, resources }, 1);
  const { explanation, lines } = explainRoute(cp, pod, head);
  const notes: Diagnostic[] = [...diagnostics, ...cp.diagnostics].filter((d) => d.level !== 'info');
  if (notes.length > 0) io.err(notes.map(formatDiagnostic).join('\n') + '\n');
  io.out(args.json ? JSON.stringify(explanation, null, 2) + '\n' : lines.join('\n') + '\n');
  return 0;
}

function requestHead(args: RouteArgs): RequestHead {
  const u = parseUrl(args.url);
  if (!u.ok) throw new UsageError(`--url: ${u.error}`);
  const headers = new Map<string, string>();
  for (const h of args.headers) {
    const colon = h.indexOf(':');
    if (colon <= 0) throw new UsageError(`-H "${h}": write a header as "name: value"`);
    headers.set(h.slice(0, colon).trim().toLowerCase(), h.slice(colon + 1).trim());
  }
  const method = (args.method || 'GET').toUpperCase();
  return { method, scheme: u.value.scheme, host: u.value.host, port: u.value.port, path: u.value.path, query: u.value.query, headers };
}

function findPod(registry: Registry, from: string): PodInfo {
  const slash = from.indexOf('/');
  const ns = slash >= 0 ? from.slice(0, slash) : null;
  const name = slash >= 0 ? from.slice(slash + 1) : from;
  const pod = registry.pods.find((p) => p.deployment === name && (ns === null || p.namespace === ns));
  if (pod) return pod;
  const names = [...new Set(registry.pods.map((p) => (ns === null ? p.deployment : `${p.namespace}/${p.deployment}`)))].sort();
  if (names.length === 0) throw new UsageError(`--from ${from}: the manifests define no Deployment to send from`);
  throw new UsageError(`--from ${from}: no such workload${didYouMean(from, names)} (workloads: ${names.join(', ')})`);
}
