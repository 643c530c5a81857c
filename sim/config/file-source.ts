/**
 * How sim/config reads files without knowing about Node or the browser. The CLI passes a
 * Node implementation (sim/cli/node-files.ts); the browser passes an in-memory map.
 */
export type FileRead =
  | { ok: true; text: string }
  | {
      ok: false;
      reason: 'missing' | 'not-utf8' | 'too-large' | 'is-directory' | 'outside-root';
      message?: string;
      /** Where in the file the problem is, when it has a place (the first byte that is not UTF-8). */
      at?: { line: number; col: number };
    };

export interface FileSource {
  /** Reads a file by the path sim/config computed (already joined with the scenario's folder). */
  read(path: string): FileRead;
}

/** A FileSource over an in-memory map, for tests and the browser. */
export function memoryFiles(files: Record<string, string>): FileSource {
  return {
    read(path) {
      const text = files[normalizePath(path)];
      return text === undefined ? { ok: false, reason: 'missing' } : { ok: true, text };
    },
  };
}

/** POSIX-style path helpers (no node:path in the core). */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return path.slice(0, i);
}

export function joinPath(base: string, rel: string): string {
  if (rel.startsWith('/')) return normalizePath(rel);
  return normalizePath(base === '.' || base === '' ? rel : `${base}/${rel}`);
}

export function normalizePath(path: string): string {
  const abs = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return abs ? `/${joined}` : joined === '' ? '.' : joined;
}
