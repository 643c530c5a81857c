/**
 * Hard limits on what sim/config accepts, and the cheap checks that enforce them before anything
 * expensive (or recursive) runs. Each limit is far above what a real mesh description needs and far
 * below what would exhaust memory or the call stack: hostile input stops here with a message, not
 * in a stack overflow or an out-of-memory crash halfway through a run.
 */
import type { CST } from 'yaml';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { CODES } from './codes.ts';
import type { DeploymentResource } from './types.ts';

/**
 * Deepest nesting of YAML collections in one document. Istio manifests reach about 10 levels;
 * yaml's composer, zod and the position index all recurse once per level, and a few thousand
 * levels overflow the call stack at a depth that depends on the caller's stack, so the check
 * must come first and must not recurse itself.
 */
export const MAX_YAML_DEPTH = 100;

/**
 * Estimated YAML nodes in one file. yaml's parser manages 40k–100k nodes a second on a CI machine
 * and keeps about 1 KiB per node, so a 4 MiB flow list (`[1,1,1,…]`, 2M nodes) takes a minute and
 * 2 GiB; under this cap the worst we measured was 6 s and 400 MB (a mapping with 120k keys).
 * Bookinfo's whole platform is ~2k nodes.
 */
export const MAX_YAML_NODES = 250_000;

/** Replicas of one Deployment: each replica is simulated as a pod with its own sidecar. */
export const MAX_REPLICAS = 1_000;

/** Pods in the whole scenario (every Deployment's replicas, over the timeline). */
export const MAX_PODS = 10_000;

/** Closed-loop connections of one traffic entry: each is a worker scheduled at start. */
export const MAX_CONNECTIONS = 100_000;

/** Default budget on a `--trace` file: large enough for hour-long runs, small enough to fit a disk. */
export const DEFAULT_MAX_TRACE_BYTES = 2 * 1024 ** 3;

/**
 * An upper bound on the YAML nodes in `text`, from one pass over its characters: every node starts
 * a line or follows one of the indicators counted here. Quoted text can only raise the count, so
 * the estimate errs on the side of refusing.
 */
export function yamlNodeEstimate(text: string): number {
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // '\n' ',' '[' '{'
    if (c === 10 || c === 44 || c === 91 || c === 123) n++;
    // ': ' and '- ' (a mapping value, a block sequence item), also with a tab after the indicator
    else if ((c === 58 || c === 45) && (text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 9)) n++;
  }
  return n;
}

/** An error when all Deployments together ask for more than MAX_PODS pods, at the largest one. */
export function podCountProblem(deployments: readonly DeploymentResource[]): Diagnostic | null {
  let total = 0;
  let largest: DeploymentResource | null = null;
  for (const d of deployments) {
    total += d.replicas;
    if (!largest || d.replicas > largest.replicas) largest = d;
  }
  if (total <= MAX_PODS || !largest) return null;
  return {
    code: CODES.kubernetes,
    level: 'error',
    resource: `Deployment ${largest.meta.namespace}/${largest.meta.name}`,
    message: `the Deployments ask for ${total} pods in all, above meshsim's limit of ${MAX_PODS}; lower replicas (this one has ${largest.replicas})`,
    source: largest.meta.positions.get('spec.replicas') ?? largest.meta.source,
    path: 'spec.replicas',
  };
}

/**
 * Offset of the first collection nested deeper than `maxDepth` in a parsed CST (yaml's `Parser`
 * keeps its own stack, so building the CST survives any nesting), or null. Iterative on purpose.
 */
export function yamlTooDeep(tokens: readonly CST.Token[], maxDepth = MAX_YAML_DEPTH): number | null {
  const work: [CST.Token, number][] = [];
  for (const token of tokens) {
    if (token.type === 'document' && token.value) work.push([token.value, 0]);
    while (work.length > 0) {
      const [t, depth] = work.pop()!;
      if (t.type !== 'block-map' && t.type !== 'block-seq' && t.type !== 'flow-collection') continue;
      if (depth + 1 > maxDepth) return t.offset;
      for (const item of t.items) {
        const it = item as { key?: CST.Token | null; value?: CST.Token };
        if (it.key) work.push([it.key, depth + 1]);
        if (it.value) work.push([it.value, depth + 1]);
      }
    }
  }
  return null;
}

/**
 * Why a path written in a scenario (spec.manifests, timeline apply) may not be read, or null.
 * The rule: such paths stay inside the folder of the scenario file. A scenario is something people
 * download and share (labs, CI fixtures); one that reads `../../etc/passwd` or `/home/me/.kube`
 * must not get to, even though meshsim only parses what it reads. Files given on the command line
 * (`--apply`) are the user's own choice and are not confined. Symbolic links are not followed by
 * this check: it is about what the scenario text says, which is all the browser build can see.
 */
export function confinementProblem(rel: string): string | null {
  if (rel.includes('\0')) return 'the path contains a NUL character';
  // Backslashes and drive letters count as separators and roots too, so a scenario written on
  // Windows cannot slip past the check on POSIX (or the other way round).
  const path = rel.replace(/\\/g, '/');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'it is an absolute path';
  let depth = 0;
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    depth += part === '..' ? -1 : 1;
    if (depth < 0) return "it leads out of the scenario's folder";
  }
  return null;
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|K|M|G|T|Ki|Mi|Gi|Ti)?\s*$/;
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** "2GiB", "500MB", "4Gi" or a whole number of bytes → bytes (> 0, a safe integer). */
export function parseByteSize(input: unknown): { ok: true; bytes: number } | { ok: false; error: string } {
  const text = typeof input === 'number' ? String(input) : input;
  if (typeof text !== 'string') return { ok: false, error: 'expected a size such as "2GiB", "500MB" or a number of bytes' };
  const m = SIZE.exec(text);
  if (!m) return { ok: false, error: `"${text}" is not a size; write e.g. "2GiB", "500MB" or a number of bytes` };
  const bytes = Math.round(Number(m[1]) * SIZE_UNITS[m[2] ?? 'B']);
  if (!Number.isSafeInteger(bytes)) return { ok: false, error: `size "${text}" is too large` };
  if (bytes <= 0) return { ok: false, error: `size "${text}" must be > 0` };
  return { ok: true, bytes };
}
