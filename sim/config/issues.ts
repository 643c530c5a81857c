/**
 * zod issues → Diagnostics with file:line:col, a printed field path and a helpful message
 * ("unknown field 'weigth' (did you mean 'weight'?)", "missing required field 'host'").
 */
import type { z } from 'zod';
import type { Diagnostic, DiagnosticLevel } from '../domain/diagnostics.ts';
import { didYouMean, listNames } from './suggest.ts';
import { formatPath, locate, locateKey } from './yaml-source.ts';
import type { PathSeg, PosIndex } from './yaml-source.ts';

type Issue = z.core.$ZodIssue;

export interface IssueTarget {
  /** "Kind ns/name" or "" */
  resource: string;
  /** Positions; paths in it are relative to `base`'s root. */
  index: PosIndex;
  /** Path of the validated value inside `index` (usually []). */
  base: readonly PathSeg[];
  /** The schema that produced the issues (used to list known field names). */
  schema: unknown;
  code: string;
  level?: DiagnosticLevel;
}

// ---- schema walking (for "known fields" and did-you-mean) ---------------------------------

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  valueType?: unknown;
  innerType?: unknown;
  options?: unknown[];
  in?: unknown;
  getter?: () => unknown;
  items?: unknown[];
  left?: unknown;
  right?: unknown;
}

function defOf(s: unknown): SchemaDef | null {
  const zod = (s as { _zod?: { def?: SchemaDef } } | null)?._zod;
  return zod?.def ?? null;
}

function expand(s: unknown, out: unknown[], depth = 0): void {
  const def = defOf(s);
  if (!def || depth > 20) return;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      expand(def.innerType, out, depth + 1);
      return;
    case 'pipe':
      expand(def.in, out, depth + 1);
      return;
    case 'lazy':
      if (def.getter) expand(def.getter(), out, depth + 1);
      return;
    case 'union':
      for (const o of def.options ?? []) expand(o, out, depth + 1);
      return;
    case 'intersection':
      expand(def.left, out, depth + 1);
      expand(def.right, out, depth + 1);
      return;
    default:
      out.push(s);
  }
}

/** Field names the schema allows at `path` (union of every object shape reachable there). */
export function knownKeysAt(schema: unknown, path: readonly PathSeg[]): string[] {
  let current: unknown[] = [schema];
  for (const seg of path) {
    const next: unknown[] = [];
    for (const s of current) {
      const flat: unknown[] = [];
      expand(s, flat);
      for (const f of flat) {
        const def = defOf(f);
        if (!def) continue;
        if (def.type === 'object' && typeof seg === 'string' && def.shape && seg in def.shape) next.push(def.shape[seg]);
        else if (def.type === 'array' && typeof seg === 'number') next.push(def.element);
        else if (def.type === 'record') next.push(def.valueType);
        else if (def.type === 'tuple' && typeof seg === 'number' && def.items?.[seg]) next.push(def.items[seg]);
      }
    }
    current = next;
  }
  const keys: string[] = [];
  for (const s of current) {
    const flat: unknown[] = [];
    expand(s, flat);
    for (const f of flat) {
      const def = defOf(f);
      if (def?.type === 'object' && def.shape) for (const k of Object.keys(def.shape)) if (!keys.includes(k)) keys.push(k);
    }
  }
  return keys;
}

// ---- messages ----------------------------------------------------------------------------------

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a mapping';
}

function typeName(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    case 'array':
    case 'tuple':
      return 'a list';
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}

function typeMessage(expected: string[], input: unknown): string {
  const want = [...new Set(expected.map(typeName))].join(' or ');
  // YAML's .nan and .inf (or 1e309) are numbers to JavaScript but never what a field means.
  if (typeof input === 'number' && !Number.isFinite(input)) return `expected ${want}, got ${input}, which is not a finite number`;
  if (expected.length === 1 && expected[0] === 'int' && typeof input === 'number') return `must be a whole number, got ${input}`;
  let hint = '';
  if (expected.includes('string') && (typeof input === 'number' || typeof input === 'boolean')) {
    hint = ` (quote it: "${String(input)}")`;
  }
  return `expected ${want}, got ${describeValue(input)}${hint}`;
}

function rootTypeMismatch(issues: Issue[]): boolean {
  return issues.some((i) => {
    if (i.path.length !== 0) return false;
    if (i.code === 'invalid_type') return true;
    if (i.code === 'invalid_value') {
      const input = (i as { input?: unknown }).input;
      return !i.values.some((v) => typeof v === typeof input);
    }
    return false;
  });
}

/** Picks the union branch the user most likely meant. */
function bestBranch(branches: Issue[][]): Issue[] | null {
  let best: Issue[] | null = null;
  let bestScore = Infinity;
  for (const b of branches) {
    const score = (rootTypeMismatch(b) ? 1000 : 0) + b.length;
    if (score < bestScore) {
      best = b;
      bestScore = score;
    }
  }
  return best && !rootTypeMismatch(best) ? best : null;
}

interface Flat {
  path: PathSeg[];
  message: string;
  /** Point at the key rather than the value. */
  atKey: boolean;
}

function flatten(issue: Issue, prefix: readonly PathSeg[], schema: unknown, out: Flat[]): void {
  const path = [...prefix, ...(issue.path as PathSeg[])];
  const input = (issue as { input?: unknown }).input;
  // A message set in a schema (`error:`) is used verbatim; zod's defaults start with "Invalid ".
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && input !== undefined && !issue.message.startsWith('Invalid ')) {
    out.push({ path, message: issue.message, atKey: false });
    return;
  }
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) {
        const last = path[path.length - 1];
        out.push({ path, message: typeof last === 'string' ? `missing required field '${last}'` : 'missing value', atKey: false });
      } else {
        out.push({ path, message: typeMessage([issue.expected], input), atKey: false });
      }
      return;
    }
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      for (const key of issue.keys) {
        const dym = didYouMean(key, known);
        const tail = dym || (known.length > 0 ? ` (allowed: ${listNames(known, 20)})` : '');
        out.push({ path: [...path, key], message: `unknown field '${key}'${tail}`, atKey: true });
      }
      return;
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
      const dym = typeof input === 'string' ? didYouMean(input, issue.values.filter((v): v is string => typeof v === 'string')) : '';
      const head = values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(', ')}`;
      out.push({ path, message: `${head}, got ${describeValue(input)}${dym}`, atKey: false });
      return;
    }
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'array' || issue.origin === 'set') {
        out.push({ path, message: `must have at least ${min} item${min === '1' ? '' : 's'}`, atKey: false });
      } else if (issue.origin === 'string') {
        out.push({ path, message: min === '1' ? 'must not be empty' : `must be at least ${min} characters long`, atKey: false });
      } else {
        out.push({ path, message: `must be ${issue.inclusive ? '>=' : '>'} ${min}, got ${describeValue(input)}`, atKey: false });
      }
      return;
    }
    case 'too_big': {
      const max = String(issue.maximum);
      // A limit set with its own message in a schema (limits.ts) explains itself.
      if (!issue.message.startsWith('Too big')) {
        out.push({ path, message: issue.message, atKey: false });
        return;
      }
      if (issue.origin === 'array' || issue.origin === 'set') out.push({ path, message: `must have at most ${max} items`, atKey: false });
      else if (issue.origin === 'string') out.push({ path, message: `must be at most ${max} characters long`, atKey: false });
      else out.push({ path, message: `must be ${issue.inclusive ? '<=' : '<'} ${max}, got ${describeValue(input)}`, atKey: false });
      return;
    }
    case 'invalid_union': {
      const u = issue as Issue & { note?: string; discriminator?: string; options?: unknown[] };
      if (u.note === 'No matching discriminator' && u.discriminator) {
        const opts = (u.options ?? []).map(String);
        const parent = path[path.length - 1] === u.discriminator ? path.slice(0, -1) : path;
        const holder = input as Record<string, unknown> | undefined;
        const got = holder && typeof holder === 'object' ? holder[u.discriminator] : undefined;
        const dPath = [...parent, u.discriminator];
        if (got === undefined) {
          out.push({ path: dPath, message: `missing required field '${u.discriminator}' (one of ${opts.map((o) => `'${o}'`).join(', ')})`, atKey: false });
        } else {
          const dym = typeof got === 'string' ? didYouMean(got, opts) : '';
          out.push({ path: dPath, message: `must be one of ${opts.map((o) => `'${o}'`).join(', ')}, got ${describeValue(got)}${dym}`, atKey: false });
        }
        return;
      }
      const branch = bestBranch(issue.errors as Issue[][]);
      if (branch) {
        for (const sub of branch) flatten(sub, path, schema, out);
        return;
      }
      const expected: string[] = [];
      for (const b of issue.errors as Issue[][]) {
        for (const sub of b) {
          if (sub.path.length !== 0) continue;
          if (sub.code === 'invalid_type') expected.push(sub.expected);
          else if (sub.code === 'invalid_value') expected.push(...sub.values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))));
        }
      }
      out.push({ path, message: expected.length ? typeMessage(expected, input) : issue.message, atKey: false });
      return;
    }
    default:
      out.push({ path, message: issue.message, atKey: false });
  }
}

export function issuesToDiagnostics(issues: readonly Issue[], target: IssueTarget): Diagnostic[] {
  const flat: Flat[] = [];
  for (const issue of issues) flatten(issue, [], target.schema, flat);
  return flat.map((f) => {
    const full = [...target.base, ...f.path];
    return {
      code: target.code,
      level: target.level ?? 'error',
      resource: target.resource,
      message: f.message,
      source: f.atKey ? locateKey(target.index, full) : locate(target.index, full),
      path: formatPath(full),
    };
  });
}

/** Paths (relative) of issues that make the value unusable (everything but unknown fields). */
export function blockingIssuePaths(issues: readonly Issue[]): PathSeg[][] {
  return issues.filter((i) => i.code !== 'unrecognized_keys').map((i) => i.path as PathSeg[]);
}
