/**
 * YAML text → plain values, with a source position for every node.
 *
 * Field paths are written the way diagnostics print them: `spec.http[0].route[1].weight`.
 * Keys that are not identifier-like are quoted: `spec.http[0].match[0].headers["x.y"]`
 * (see `appendPath`), so the control-plane compile can rebuild a path and look it up.
 */
import { Composer, LineCounter, Parser, isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { Diagnostic, DiagnosticLevel, SourceLocation } from '../domain/diagnostics.ts';
import { MAX_YAML_DEPTH, MAX_YAML_NODES, yamlNodeEstimate, yamlTooDeep } from './limits.ts';

export type PathSeg = string | number;

/** True when `path` lies under `prefix` (or is it). */
export function pathStartsWith(path: readonly PathSeg[], prefix: readonly PathSeg[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}

/** Reports a problem at a path of the document being checked (a webhook-style validator's output). */
export type Emit = (path: PathSeg[], message: string, level?: DiagnosticLevel) => void;

const PLAIN_KEY = /^[A-Za-z_$@][A-Za-z0-9_$-]*$/;

/** Appends one segment to a printed path. */
export function appendPath(base: string, seg: PathSeg): string {
  if (typeof seg === 'number') return `${base}[${seg}]`;
  if (!PLAIN_KEY.test(seg)) return `${base}[${JSON.stringify(seg)}]`;
  return base === '' ? seg : `${base}.${seg}`;
}

/** Prints a path: ['spec', 'http', 0, 'route'] → "spec.http[0].route". */
export function formatPath(segs: readonly PathSeg[]): string {
  let out = '';
  for (const s of segs) out = appendPath(out, s);
  return out;
}

/** Where every node of one YAML subtree sits. Paths are relative to the subtree root. */
export interface PosIndex {
  file: string;
  /** Path → location of the node (its value). The root is under "". */
  values: Map<string, SourceLocation>;
  /** Path → location of the map key that introduces the node. */
  keys: Map<string, SourceLocation>;
}

export function emptyIndex(file: string, at: SourceLocation | null = null): PosIndex {
  const values = new Map<string, SourceLocation>();
  if (at) values.set('', at);
  return { file, values, keys: new Map() };
}

/** Location of the node at `segs`, or of its nearest existing ancestor. */
export function locate(index: PosIndex, segs: readonly PathSeg[]): SourceLocation | null {
  for (let n = segs.length; n >= 0; n--) {
    const loc = index.values.get(formatPath(segs.slice(0, n)));
    if (loc) return loc;
  }
  return null;
}

/** Location of the key that introduces `segs` (falls back to `locate`). */
export function locateKey(index: PosIndex, segs: readonly PathSeg[]): SourceLocation | null {
  return index.keys.get(formatPath(segs)) ?? locate(index, segs);
}

/** One non-empty YAML document. */
export interface YamlDoc {
  file: string;
  value: unknown;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Positions of the whole document. */
  index: PosIndex;
  /** Where the document's content starts. */
  start: SourceLocation;
}

/** The YAML node at `segs` inside a document (null when absent). */
export function nodeAt(doc: YamlDoc, segs: readonly PathSeg[]): YamlNode | null {
  if (segs.length === 0) return (doc.doc.contents as YamlNode | null) ?? null;
  const found = doc.doc.getIn(segs as PathSeg[], true);
  return found && typeof found === 'object' && 'range' in (found as object) ? (found as YamlNode) : null;
}

/** Position index of the subtree at `segs`, with paths relative to that subtree. */
export function subIndex(doc: YamlDoc, segs: readonly PathSeg[]): PosIndex {
  if (segs.length === 0) return doc.index;
  const node = nodeAt(doc, segs);
  const index = emptyIndex(doc.file, locate(doc.index, segs));
  if (node) indexNode(node, '', index, doc.lineCounter);
  return index;
}

function loc(lc: LineCounter, file: string, offset: number): SourceLocation {
  const p = lc.linePos(offset);
  return { file, line: p.line, col: p.col };
}

function indexNode(node: YamlNode, path: string, out: PosIndex, lc: LineCounter): void {
  if (node.range) out.values.set(path, loc(lc, out.file, node.range[0]));
  if (isAlias(node)) return; // never expand aliases here (alias bombs)
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key;
      const name = isScalar(key) ? String(key.value) : String(key);
      const childPath = appendPath(path, name);
      const keyNode = key as YamlNode | null;
      const keyLoc = keyNode && keyNode.range ? loc(lc, out.file, keyNode.range[0]) : null;
      if (keyLoc) out.keys.set(childPath, keyLoc);
      const value = pair.value as YamlNode | null;
      // An empty value (`key:`) has a zero-width node at the end of the line: point at the key.
      const emptyValue = !value || (isScalar(value) && value.range && value.range[0] === value.range[1]);
      if (value && !emptyValue) indexNode(value, childPath, out, lc);
      else if (keyLoc) out.values.set(childPath, keyLoc);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      if (item && typeof item === 'object') indexNode(item as YamlNode, appendPath(path, i), out, lc);
    });
  }
}

/** Kubernetes-sized guard against alias bombs ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

/**
 * Parses every document of a YAML stream. Broken YAML gives MSH0001 at the parser's line/col;
 * empty documents (bare `---`, comments only, explicit null) are skipped.
 */
export function parseYamlDocuments(text: string, file: string): { docs: YamlDoc[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // Refuse before parsing what would take minutes and gigabytes to parse (limits.ts).
  const estimate = yamlNodeEstimate(text);
  if (estimate > MAX_YAML_NODES) {
    diagnostics.push(limitProblem(`file has too many YAML nodes (about ${estimate}, the limit is ${MAX_YAML_NODES}); split it into smaller files or leave out what the simulation does not need`, { file, line: 1, col: 1 }));
    return { docs: [], diagnostics };
  }
  // What parseAllDocuments does, in two steps: yaml's composer (and toJS, the position index and
  // zod after it) recurse once per nesting level, and a stack overflow deep inside V8 can abort
  // the process outright, so the depth is checked on the iteratively built CST first.
  const lineCounter = new LineCounter();
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const deep = yamlTooDeep(tokens);
  if (deep !== null) {
    diagnostics.push(limitProblem(`YAML nested too deeply (more than ${MAX_YAML_DEPTH} levels of mappings and lists); meshsim refuses it rather than risk running out of stack`, loc(lineCounter, file, deep)));
    return { docs: [], diagnostics };
  }
  const docs: YamlDoc[] = [];
  // yaml's own uniqueKeys check compares every key with every other (30k keys: 20 s), so
  // duplicates are found below with a set instead.
  for (const doc of new Composer({ uniqueKeys: false, logLevel: 'error' }).compose(tokens)) {
    for (const e of doc.errors) diagnostics.push(yamlProblem(e, file, 'error', lineCounter));
    for (const w of doc.warnings) diagnostics.push(yamlProblem(w, file, 'warning', lineCounter));
    if (doc.errors.length > 0) continue;
    const contents = doc.contents as YamlNode | null;
    const duplicates = duplicateKeys(contents, file, lineCounter);
    if (duplicates.length > 0) {
      diagnostics.push(...duplicates);
      continue;
    }
    if (!contents || (isScalar(contents) && (contents.value === null || contents.value === undefined))) continue;
    const start = contents.range ? loc(lineCounter, file, contents.range[0]) : { file, line: 1, col: 1 };
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      diagnostics.push({
        code: 'MSH0002',
        level: 'error',
        resource: '',
        message: /alias count/i.test(msg)
          ? `YAML aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT} uses of one anchor); refusing a possible alias bomb ("billion laughs")`
          : `cannot read YAML document: ${msg}`,
        source: start,
      });
      continue;
    }
    const index = emptyIndex(file);
    indexNode(contents, '', index, lineCounter);
    docs.push({ file, value, doc, lineCounter, index, start });
  }
  return { docs, diagnostics };
}

/** MSH0001 for every key that repeats an earlier key of the same mapping (depth already bounded). */
function duplicateKeys(root: YamlNode | null, file: string, lc: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const work: unknown[] = root ? [root] : [];
  while (work.length > 0) {
    const node = work.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        // Keys become property names, so 1 and "1" are the same key once loaded.
        const name = isScalar(key) ? String(key.value) : null;
        if (name !== null && seen.has(name)) {
          const at = key?.range ? loc(lc, file, key.range[0]) : { file, line: 1, col: 1 };
          out.push({ code: 'MSH0001', level: 'error', resource: '', message: `invalid YAML: Map keys must be unique; '${name}' appears twice in this mapping (DUPLICATE_KEY)`, source: at });
        }
        if (name !== null) seen.add(name);
        work.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) work.push(item);
    }
  }
  return out;
}

function limitProblem(message: string, source: SourceLocation): Diagnostic {
  return { code: 'MSH0002', level: 'error', resource: '', message, source };
}

interface YamlProblem {
  message: string;
  code: string;
  pos: [number, number];
}

function yamlProblem(e: YamlProblem, file: string, level: 'error' | 'warning', lc: LineCounter): Diagnostic {
  const pos = lc.linePos(e.pos[0]);
  // Keep the first sentence; a few messages continue with a code excerpt.
  const first = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '');
  return {
    code: 'MSH0001',
    level,
    resource: '',
    message: `invalid YAML: ${first} (${e.code})`,
    source: pos ? { file, line: pos.line, col: pos.col } : { file, line: 1, col: 1 },
  };
}
