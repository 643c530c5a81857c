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
        return notUtf8(bytes);
      }
    },
  };
}

/** Says where the first byte that is not UTF-8 sits (line and column in characters, 1-based). */
function notUtf8(bytes: Buffer): FileRead {
  const bad = firstInvalidUtf8(bytes);
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
  const lineStart = before.lastIndexOf('\n') + 1;
  const at = { line: before.split('\n').length, col: before.length - lineStart + 1 };
  const hex = (bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return { ok: false, reason: 'not-utf8', message: `byte 0x${hex} at line ${at.line}, column ${at.col}; save the file as UTF-8`, at };
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    if (n > 0) {
      // The slice decodes on its own only when the sequence is complete, minimal and not a surrogate.
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + n + 1));
      } catch {
        return i;
      }
    }
    i += n + 1;
  }
  return bytes.length;
}
