/**
 * Which files a scenario names (spec.manifests and timeline `apply`), read from its YAML on the
 * page so the editor can open them as tabs before anything runs. Forgiving: text that does not
 * parse names no files (the run reports why).
 */
import { parse } from 'yaml';

export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else out.push('..');
      continue;
    }
    out.push(part);
  }
  return out.join('/');
}

export function joinPath(dir: string, rel: string): string {
  return normalizePath(dir === '' || dir === '.' ? rel : `${dir}/${rel}`);
}

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Paths (normalised, relative to the repository root like the bundle) the scenario reads, in order, without duplicates. */
export function scenarioFilePaths(text: string, entry: string): string[] {
  let doc: unknown;
  try {
    doc = parse(text, { strict: false, uniqueKeys: false });
  } catch {
    return [];
  }
  const spec = (doc as { spec?: { manifests?: unknown; timeline?: unknown } } | null)?.spec;
  if (!spec || typeof spec !== 'object') return [];
  const rel = [...strings(spec.manifests)];
  if (Array.isArray(spec.timeline)) for (const t of spec.timeline) rel.push(...strings((t as { apply?: unknown } | null)?.apply));
  const dir = dirnameOf(entry);
  return [...new Set(rel.map((r) => joinPath(dir, r)))];
}
