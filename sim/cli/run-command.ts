/**
 * `meshsim run`: load a scenario, run it, print the summary (table or JSON), optionally stream the
 * trace. Exit 0 when every expectation holds, 1 when one fails, 2 for invalid input or a budget.
 */
import { loadScenario } from '../config/index.ts';
import { parseDuration } from '../domain/time.ts';
import { runScenario, traceHeader } from '../run.ts';
import { JsonlSink, type TraceSink } from '../trace/sink.ts';
import type { TraceEvent } from '../trace/events.ts';
import { explainRequest } from '../data-plane/provenance.ts';
import { formatSummary } from './format.ts';
import { nodeFiles } from './node-files.ts';
import { AtomicLineWriter } from './output.ts';
import { ProgressBar } from './progress.ts';
import { UsageError } from './errors.ts';

export interface RunArgs {
  scenario: string;
  seed?: string;
  duration?: string;
  apply: string[];
  json: boolean;
  trace?: string;
  maxEvents?: string;
  maxSimTime?: string;
  /** Client request id whose decision chain to print. */
  explain?: string;
}

export function replayCommand(args: RunArgs, seed: number): string {
  const parts = ['npx meshsim run', args.scenario, `--seed ${seed}`];
  if (args.duration) parts.push(`--duration ${args.duration}`);
  for (const a of args.apply) parts.push(`--apply ${a}`);
  return parts.join(' ');
}

function parseNonNegativeInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`${flag} expects a whole number >= 0, got "${text}"`);
  return Number(text);
}

function parseDurationFlag(text: string, flag: string): number {
  const d = parseDuration(text);
  if (!d.ok) throw new UsageError(`${flag}: ${d.error}`);
  return d.us;
}

export function runCommand(args: RunArgs): number {
  const seed = args.seed !== undefined ? parseNonNegativeInt(args.seed, '--seed') : undefined;
  const durationUs = args.duration !== undefined ? parseDurationFlag(args.duration, '--duration') : undefined;
  if (durationUs === 0) throw new UsageError('--duration must be greater than 0');
  const scenario = loadScenario(args.scenario, nodeFiles(), { seed, durationUs, apply: args.apply });
  if (args.maxEvents !== undefined) scenario.budgets.maxEvents = parseNonNegativeInt(args.maxEvents, '--max-events');
  if (args.maxSimTime !== undefined) scenario.budgets.maxSimTimeUs = parseDurationFlag(args.maxSimTime, '--max-sim-time');

  const sinks: TraceSink[] = [];
  let traceWriter: AtomicLineWriter | null = null;
  if (args.trace) {
    traceWriter = new AtomicLineWriter(args.trace);
    traceWriter.line(JSON.stringify(traceHeader(scenario)));
    const w = traceWriter;
    sinks.push(new JsonlSink((line) => w.line(line)));
  }
  const explainId = args.explain !== undefined ? parseNonNegativeInt(args.explain, '--explain') : null;
  const explained: TraceEvent[] = [];
  if (explainId !== null) {
    sinks.push({ write: (ev) => void ('req' in ev && ev.req === explainId && explained.push(ev)) });
  }
  const progress = !args.json && process.stderr.isTTY ? new ProgressBar(process.stderr) : null;
  let result;
  try {
    result = runScenario(scenario, { sinks, detail: explainId !== null, onProgress: progress ? (simUs, totalUs) => progress.update(simUs, totalUs) : undefined });
  } catch (e) {
    traceWriter?.abort();
    throw e;
  } finally {
    progress?.done();
  }
  if (result.budgetMessage) {
    traceWriter?.abort();
    process.stderr.write(`meshsim: ${args.scenario}: run stopped: ${result.budgetMessage}\n`);
    return 2;
  }
  traceWriter?.commit();

  if (explainId !== null) {
    if (explained.length === 0) throw new UsageError(`--explain ${explainId}: no client request with that id in this run (ids start at 1 and follow issue order)`);
    if (args.json) process.stdout.write(JSON.stringify(explained, null, 2) + '\n');
    else process.stdout.write(explainRequest(explained, explainId).join('\n') + '\n');
    return 0;
  }
  if (args.json) process.stdout.write(JSON.stringify(result.summary, null, 2) + '\n');
  else process.stdout.write(formatSummary(result, args.scenario) + '\n');

  const failed = result.summary.expectations.filter((e) => !e.passed);
  if (failed.length > 0) {
    process.stderr.write(`${failed.length} expectation(s) failed. Replay with:\n  ${replayCommand(args, scenario.seed)}\n`);
    return 1;
  }
  return 0;
}
