/**
 * Runs `meshsim` in this process: the same `main()` that bin/meshsim.js calls, with stdout and
 * stderr captured. Spawning the real bin costs about half a second per case (tsx compiles the CLI
 * each time); the catalogue has dozens of cases, so most run here and a sample runs through the
 * real bin (hostile-bin.test.ts) to prove the two agree.
 *
 * Calls must not overlap: the capture replaces process.stdout.write and process.stderr.write.
 */
import { main } from '../../sim/cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let busy = false;

export async function runInProcess(args: string[]): Promise<CliResult> {
  if (busy) throw new Error('runInProcess: calls must not overlap (stdout/stderr are captured globally)');
  busy = true;
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const capture =
    (sink: string[]) =>
    (chunk: string | Uint8Array): boolean => {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
  process.stdout.write = capture(out) as typeof process.stdout.write;
  process.stderr.write = capture(err) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    busy = false;
  }
}
