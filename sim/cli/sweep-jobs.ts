/**
 * The job list of `meshsim sweep`: which seeds, which parameter variants, which shard, and how a
 * `--param path=value` rewrites the scenario text. Pure functions (no workers, no files) so that
 * the main thread, the workers and the tests build the same list from the same flags.
 *
 * A parameter is written into the scenario's YAML text where the value sits (the node's source
 * range is replaced), so every check of the scenario loader applies to it and its diagnostics
 * point at the real line and column of the file. Only a key that does not exist yet makes the
 * document be re-serialised.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { UsageError } from './errors.ts';

/** The most jobs one sweep may have (seeds × parameter variants). */
export const MAX_SWEEP_JOBS = 100_000;

export interface ParamSetting {
  /** As written, e.g. "spec.traffic[0].rate". */
  path: string;
  /** The value text, e.g. "200/s". */
  value: string;
}

export interface SweepJob {
  /** Position in the full (unsharded) job list. */
  index: number;
  seed: number;
  params: ParamSetting[];
}

export interface ParamAxis {
  path: string;
  segments: PathSegment[];
  values: string[];
}

export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'named'; name: string };

/** "1..100", "1,5,9", "1..10,20,30..32": each seed once, in the order written. */
export function parseSeeds(text: string): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const part of text.split(',')) {
    const p = part.trim();
    const range = /^(\d+)\.\.(\d+)$/.exec(p);
    const single = /^\d+$/.exec(p);
    if (!range && !single) throw new UsageError(`--seeds expects a range "1..100", a list "1,5,9" or both ("1..10,20"), got "${text}" (bad part "${p}")`);
    const from = Number(range ? range[1] : p);
    const to = Number(range ? range[2] : p);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new UsageError(`--seeds: "${p}" is too large`);
    if (to < from) throw new UsageError(`--seeds: range "${p}" ends before it starts`);
    if (out.length + (to - from + 1) > MAX_SWEEP_JOBS) throw new UsageError(`--seeds: more than ${MAX_SWEEP_JOBS} seeds`);
    for (let s = from; s <= to; s++) {
      if (seen.has(s)) throw new UsageError(`--seeds: seed ${s} is listed twice`);
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}

/** "spec.traffic[0].rate=100/s,200/s" → axis; also `traffic[users]` selects the list item named users. */
export function parseParam(text: string): ParamAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--param expects path=value1,value2,…, e.g. spec.traffic[0].rate=100/s,200/s; got "${text}"`);
  const path = text.slice(0, eq).trim();
  const values = text
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim());
  if (values.some((v) => v === '')) throw new UsageError(`--param ${path}: empty value in "${text.slice(eq + 1)}" (values are separated by commas)`);
  return { path, segments: parsePath(path), values };
}

export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const re = /([A-Za-z_][\w-]*)|\[(\d+)\]|\[([^\]]+)\]|(\.)/y;
  let expectKey = true;
  let i = 0;
  while (i < path.length) {
    re.lastIndex = i;
    const m = re.exec(path);
    if (!m) throw new UsageError(`--param: cannot read the path "${path}" at character ${i + 1}; write it like spec.traffic[0].rate or spec.workloads.reviews-v1.concurrency`);
    if (m[1] !== undefined) {
      if (!expectKey) throw new UsageError(`--param: "${path}": a "." is missing before "${m[1]}"`);
      segments.push({ kind: 'key', key: m[1] });
      expectKey = false;
    } else if (m[2] !== undefined) segments.push({ kind: 'index', index: Number(m[2]) });
    else if (m[3] !== undefined) segments.push({ kind: 'named', name: m[3] });
    else expectKey = true;
    i = re.lastIndex;
  }
  if (segments.length === 0 || expectKey) throw new UsageError(`--param: "${path}" is not a path into the scenario, e.g. spec.traffic[0].rate`);
  return segments;
}

/** seeds × the cartesian product of the parameter axes; parameter variants outermost. */
export function buildJobs(seeds: readonly number[], axes: readonly ParamAxis[]): SweepJob[] {
  let variants: ParamSetting[][] = [[]];
  for (const axis of axes) variants = variants.flatMap((v) => axis.values.map((value) => [...v, { path: axis.path, value }]));
  if (variants.length * seeds.length > MAX_SWEEP_JOBS) throw new UsageError(`the sweep would have ${variants.length * seeds.length} runs; the limit is ${MAX_SWEEP_JOBS}`);
  const jobs: SweepJob[] = [];
  for (const params of variants) for (const seed of seeds) jobs.push({ index: jobs.length, seed, params });
  return jobs;
}

/** "2/3" → shard 2 of 3 (1-based). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard expects i/n with 1 <= i <= n, e.g. 2/4; got "${text}"`);
  return { index, count };
}

/**
 * Shard i of n: the i-th of n contiguous slices of sizes differing by at most one. Contiguous
 * (not round-robin) so that a shard's runs are a readable range, e.g. seeds 34..66.
 */
export function shardJobs<T>(jobs: readonly T[], shard: { index: number; count: number }): T[] {
  const from = Math.floor(((shard.index - 1) * jobs.length) / shard.count);
  const to = Math.floor((shard.index * jobs.length) / shard.count);
  return jobs.slice(from, to);
}

/** The scenario text with each setting written in; throws UsageError naming the missing key. */
export function applyParams(text: string, file: string, params: readonly ParamSetting[]): string {
  let out = text;
  for (const p of params) out = applyParam(out, file, p);
  return out;
}

function applyParam(text: string, file: string, p: ParamSetting): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) return text; // the loader reports YAML errors with their place
  const segments = parsePath(p.path);
  const valueText = flowValue(p);
  let node: unknown = doc.contents;
  const walked: (string | number)[] = [];
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k];
    const last = k === segments.length - 1;
    const here = walked.length === 0 ? 'the document' : describe(walked);
    if (seg.kind === 'key') {
      if (!isMap(node)) throw new UsageError(`--param ${p.path}: ${here} in ${file} is not a mapping, so it has no key "${seg.key}"`);
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === seg.key);
      if (!pair) {
        if (last) return setMissing(doc, [...walked, seg.key], valueText);
        const keys = node.items.map((it) => (isScalar(it.key) ? String(it.key.value) : '?')).join(', ');
        throw new UsageError(`--param ${p.path}: ${here} in ${file} has no key "${seg.key}" (keys: ${keys || 'none'})`);
      }
      walked.push(seg.key);
      node = pair.value;
    } else {
      if (!isSeq(node)) throw new UsageError(`--param ${p.path}: ${here} in ${file} is not a list`);
      let at: number;
      if (seg.kind === 'index') at = seg.index;
      else at = node.items.findIndex((it) => isMap(it) && it.items.some((pair) => isScalar(pair.key) && pair.key.value === 'name' && isScalar(pair.value) && String(pair.value.value) === seg.name));
      if (at < 0 || at >= node.items.length) {
        const what = seg.kind === 'index' ? `index ${seg.index}` : `item named "${seg.name}"`;
        throw new UsageError(`--param ${p.path}: ${here} in ${file} has ${node.items.length} item${node.items.length === 1 ? '' : 's'}, no ${what}`);
      }
      walked.push(at);
      node = node.items[at];
    }
  }
  const range = (node as Node | null)?.range;
  if (!range) return setMissing(doc, walked, valueText);
  return text.slice(0, range[0]) + valueText + text.slice(range[1]);
}

function setMissing(doc: Document, path: (string | number)[], valueText: string): string {
  doc.setIn(path, parseDocument(valueText).toJS());
  return doc.toString();
}

/** The value as YAML flow text that cannot break the document's structure. */
function flowValue(p: ParamSetting): string {
  const d = parseDocument(p.value);
  if (d.errors.length > 0) throw new UsageError(`--param ${p.path}: "${p.value}" is not a YAML value: ${d.errors[0].message.split('\n')[0]}`);
  return JSON.stringify(d.toJS());
}

function describe(path: (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

export function paramLabel(params: readonly ParamSetting[]): string {
  return params.map((p) => `${p.path}=${p.value}`).join(' ');
}
