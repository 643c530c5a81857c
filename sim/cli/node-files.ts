/**
 * FileSource backed by the local file system (Node only). Refuses directories, files over
 * 10 MiB and text that is not valid UTF-8; optionally confines reads to a root folder.
 */
import { readFileSync, statSync } from 'node:fs';
import { relative, resolve, isAbsolute } from 'node:path';
import type { FileRead, FileSource } from '../config/file-source.ts';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface NodeFilesOptions {
  /** Folder paths are resolved against (default: the working directory). */
  cwd?: string;
  /** When set, files outside this folder are refused ('outside-root'). */
  root?: string;
  /** Size limit in bytes (default 10 MiB). */
  maxBytes?: number;
}

export function nodeFiles(options: NodeFilesOptions = {}): FileSource {
  const cwd = options.cwd ?? process.cwd();
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const root = options.root === undefined ? null : resolve(cwd, options.root);
  return {
    read(path: string): FileRead {
      const full = resolve(cwd, path);
      if (root !== null) {
        const rel = relative(root, full);
        if (rel.startsWith('..') || isAbsolute(rel)) return { ok: false, reason: 'outside-root' };
      }
      let size: number;
      try {
        const st = statSync(full);
        if (st.isDirectory()) return { ok: false, reason: 'is-directory' };
        size = st.size;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing' };
        return { ok: false, reason: 'missing', message: code ?? String(err) };
      }
      if (size > maxBytes) return { ok: false, reason: 'too-large', message: `${size} bytes` };
      let bytes: Buffer;
      try {
        bytes = readFileSync(full);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EISDIR') return { ok: false, reason: 'is-directory' };
        return { ok: false, reason: 'missing', message: code ?? String(err) };
      }
      if (bytes.length > maxBytes) return { ok: false, reason: 'too-large', message: `${bytes.length} bytes` };
      try {
        return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
      } catch {
        return { ok: false, reason: 'not-utf8' };
      }
    },
  };
}
