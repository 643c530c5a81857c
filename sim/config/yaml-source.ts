/**
 * YAML text → plain values, with a source position for every node.
 *
 * Field paths are written the way diagnostics print them: `spec.http[0].route[1].weight`.
 * Keys that are not identifier-like are quoted: `spec.http[0].match[0].headers["x.y"]`
 * (see `appendPath`), so the control-plane compile can rebuild a path and look it up.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { Diagnostic, SourceLocation } from '../domain/diagnostics.ts';

export type PathSeg = string | number;

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
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const docs: YamlDoc[] = [];
  const list = Array.isArray(parsed) ? parsed : [];
  for (const doc of list) {
    for (const e of doc.errors) diagnostics.push(yamlProblem(e, file, 'error'));
    for (const w of doc.warnings) diagnostics.push(yamlProblem(w, file, 'warning'));
    if (doc.errors.length > 0) continue;
    const contents = doc.contents as YamlNode | null;
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

interface YamlProblem {
  message: string;
  code: string;
  linePos?: [{ line: number; col: number }] | [{ line: number; col: number }, { line: number; col: number }];
}

function yamlProblem(e: YamlProblem, file: string, level: 'error' | 'warning'): Diagnostic {
  const pos = e.linePos?.[0];
  // prettyErrors appends " at line N, column M:" and a code excerpt; keep the first sentence.
  const first = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '');
  return {
    code: 'MSH0001',
    level,
    resource: '',
    message: `invalid YAML: ${first} (${e.code})`,
    source: pos ? { file, line: pos.line, col: pos.col } : { file, line: 1, col: 1 },
  };
}
