/**
 * Checks on an output path before anything is written: outputs go where the user asked and
 * nowhere else, and never replace one of the run's own input files (`--trace scenario.yaml` is
 * almost certainly a slip of the shell's tab completion, and would destroy the user's work).
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { FileRead, FileSource } from '../config/file-source.ts';
import { UsageError } from './errors.ts';

/** Wraps a FileSource and remembers the real path of every file it read. */
export function recordingFiles(inner: FileSource, cwd = process.cwd()): { files: FileSource; inputs: Set<string> } {
  const inputs = new Set<string>();
  const files: FileSource = {
    read(path: string): FileRead {
      const r = inner.read(path);
      if (r.ok) inputs.add(realPath(resolve(cwd, path)));
      return r;
    },
  };
  return { files, inputs };
}

/** Throws a UsageError when `path` cannot or must not be written by `flag`. */
export function checkOutputPath(path: string, flag: string, inputs: ReadonlySet<string>, cwd = process.cwd()): void {
  const full = resolve(cwd, path);
  const dir = dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${path}: the folder ${dirname(path)} does not exist`);
  if (existsSync(full) && statSync(full).isDirectory()) throw new UsageError(`${flag} ${path} is a directory; give a file name`);
  // Outputs are renamed into place; doing that over /dev/stdout or a pipe would replace the device entry.
  if (existsSync(full) && !statSync(full).isFile()) throw new UsageError(`${flag} ${path} is not a regular file (a device or a pipe); give a file name`);
  if (inputs.has(realPath(full))) throw new UsageError(`${flag} ${path} is one of this run's input files; refusing to overwrite it (choose another output name)`);
}

/** The path with symbolic links resolved (for a file that does not exist yet: its folder's). */
function realPath(full: string): string {
  try {
    return realpathSync(full);
  } catch {
    try {
      return join(realpathSync(dirname(full)), basename(full));
    } catch {
      return full;
    }
  }
}
