/**
 * Writing files the user asked for without ever leaving a half-written one: everything goes to a
 * temporary file beside the target and is renamed into place only when complete.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { UsageError } from './errors.ts';

/**
 * Creates the temporary file for `path`: `.<name>.<pid>[-n].tmp` beside it, opened with O_EXCL so
 * an existing file (the user's, or another run's) is never opened, let alone truncated.
 */
function openTemp(path: string): { tmp: string; fd: number } {
  // The file is renamed into place at the end: over /dev/null or a pipe that would replace the
  // device entry itself (as root, for everyone), so only regular files are ever targets.
  if (existsSync(path) && !statSync(path).isFile()) throw new UsageError(`cannot write ${path}: it is not a regular file (a folder, a device or a pipe); give a file name`);
  removeStaleTemps(path);
  for (let n = 0; ; n++) {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}${n === 0 ? '' : `-${n}`}.tmp`);
    try {
      return { tmp, fd: openSync(tmp, 'wx') };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw e;
    }
  }
}

/**
 * A run killed mid-way (Ctrl-C, kill) cannot clean up: the simulation runs synchronously, so no
 * signal handler gets a turn. The next write to the same target removes such leftovers, but only
 * files with exactly our name pattern whose process is gone.
 */
function removeStaleTemps(path: string): void {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)(?:-\d+)?$/.exec(name.slice(prefix.length, -'.tmp'.length));
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    rmSync(join(dirname(path), name), { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export function writeFileAtomic(path: string, content: string): void {
  const { tmp, fd } = openTemp(path);
  try {
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Thrown from inside a run when the file would grow past its byte budget; the run is abandoned. */
export class OutputTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`output larger than ${maxBytes} bytes`);
    this.name = 'OutputTooLarge';
  }
}

/** A line-oriented writer that streams to a temp file and renames on `commit`. */
export class AtomicLineWriter {
  private readonly tmp: string;
  private fd: number;
  /**
   * Lines are encoded into this byte buffer as they come. Kept as JS strings until a flush, they
   * outlived V8's young generation and the promoted garbage raised the peak memory of long
   * exports (test/telemetry/measure-export-memory.ts).
   */
  private readonly buffer = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  /** Bytes written or buffered so far, checked against `maxBytes` on every line. */
  private total = 0;

  constructor(
    private readonly path: string,
    private readonly maxBytes = Number.MAX_SAFE_INTEGER,
  ) {
    ({ tmp: this.tmp, fd: this.fd } = openTemp(path));
  }

  line(text: string): void {
    const bytes = Buffer.byteLength(text) + 1;
    this.total += bytes;
    if (this.total > this.maxBytes) throw new OutputTooLarge(this.maxBytes);
    if (this.used + bytes > this.buffer.length) {
      this.flush();
      if (bytes > this.buffer.length) {
        writeSync(this.fd, text + '\n');
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
    this.buffer[this.used++] = 0x0a;
  }

  private flush(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buffer, done, this.used - done);
    this.used = 0;
  }

  /** Appends another file's bytes as they are (it should end with a newline), through the same buffer. */
  appendFile(path: string): void {
    this.flush();
    const from = openSync(path, 'r');
    try {
      for (;;) {
        const n = readSync(from, this.buffer, 0, this.buffer.length, null);
        if (n === 0) break;
        this.total += n;
        if (this.total > this.maxBytes) throw new OutputTooLarge(this.maxBytes);
        this.used = n;
        this.flush();
      }
    } finally {
      closeSync(from);
    }
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.tmp, { force: true });
  }
}
