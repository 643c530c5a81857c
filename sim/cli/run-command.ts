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
import { AtomicLineWriter, OutputTooLarge } from './output.ts';
import { checkOutputPath, recordingFiles } from './output-guard.ts';
import { DEFAULT_MAX_TRACE_BYTES, parseByteSize } from '../config/limits.ts';
import { ProgressBar } from './progress.ts';
import { UsageError } from './errors.ts';
import { Exports, exportPaths, type ExportArgs } from './export-flags.ts';

export interface RunArgs extends ExportArgs {
  scenario: string;
  seed?: string;
  duration?: string;
  apply: string[];
  json: boolean;
  trace?: string;
  maxEvents?: string;
  maxSimTime?: string;
  maxInFlight?: string;
  maxTraceBytes?: string;
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

function parsePositiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) === 0) throw new UsageError(`${flag} expects a whole number > 0, got "${text}"`);
  return Number(text);
}

function parseDurationFlag(text: string, flag: string): number {
  const d = parseDuration(text);
  if (!d.ok) throw new UsageError(`${flag}: ${d.error}`);
  return d.us;
}

/** Opens the trace writer, turning a file-system refusal into a message (exit 2), not a crash. */
function openWriter(path: string, maxBytes: number): AtomicLineWriter {
  try {
    return new AtomicLineWriter(path, maxBytes);
  } catch (e) {
    throw writeProblem(e, path);
  }
}

/** A file-system error while writing an output becomes a UsageError naming the file; anything else is rethrown. */
function writeProblem(e: unknown, path: string | undefined): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (path === undefined || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  return new UsageError(`cannot write --trace ${path}: ${code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code}; nothing was written`);
}

/** The trace outgrew its budget: the run was abandoned mid-way and its file removed. Exit 2. */
function traceBudgetStop(scenario: string, e: OutputTooLarge): number {
  process.stderr.write(
    `meshsim: ${scenario}: run stopped: budget maxTraceBytes (${e.maxBytes} bytes) reached: the trace would be larger. Shorten the run (--duration) or lower the rates, or raise spec.budgets.maxTraceBytes (CLI: --max-trace-bytes). Nothing was written.\n`,
  );
  return 2;
}

export function runCommand(args: RunArgs): number {
  const seed = args.seed !== undefined ? parseNonNegativeInt(args.seed, '--seed') : undefined;
  const durationUs = args.duration !== undefined ? parseDurationFlag(args.duration, '--duration') : undefined;
  if (durationUs === 0) throw new UsageError('--duration must be greater than 0');
  const { files, inputs } = recordingFiles(nodeFiles());
  const scenario = loadScenario(args.scenario, files, { seed, durationUs, apply: args.apply });
  // Budget flags win over spec.budgets; each budget is reported by name when a run hits it.
  if (args.maxEvents !== undefined) scenario.budgets.maxEvents = parsePositiveInt(args.maxEvents, '--max-events');
  if (args.maxSimTime !== undefined) scenario.budgets.maxSimTimeUs = parseDurationFlag(args.maxSimTime, '--max-sim-time');
  if (scenario.budgets.maxSimTimeUs === 0) throw new UsageError('--max-sim-time must be greater than 0');
  if (args.maxInFlight !== undefined) scenario.budgets.maxInFlight = parsePositiveInt(args.maxInFlight, '--max-in-flight');
  let maxTraceBytes = scenario.budgets.maxTraceBytes ?? DEFAULT_MAX_TRACE_BYTES;
  if (args.maxTraceBytes !== undefined) {
    const size = parseByteSize(args.maxTraceBytes);
    if (!size.ok) throw new UsageError(`--max-trace-bytes: ${size.error}`);
    maxTraceBytes = size.bytes;
  }
  if (scenario.traffic.length === 0) {
    // Not an error: such a scenario still loads and pushes its configuration. But say so.
    process.stderr.write(`meshsim: ${args.scenario}: warning: the scenario has no traffic (spec.traffic is empty), so no requests are sent\n`);
  }

  const sinks: TraceSink[] = [];
  let traceWriter: AtomicLineWriter | null = null;
  if (args.trace) {
    checkOutputPath(args.trace, '--trace', inputs);
    traceWriter = openWriter(args.trace, maxTraceBytes);
    try {
      traceWriter.line(JSON.stringify(traceHeader(scenario)));
    } catch (e) {
      traceWriter.abort();
      if (e instanceof OutputTooLarge) return traceBudgetStop(args.scenario, e);
      throw writeProblem(e, args.trace);
    }
    const w = traceWriter;
    sinks.push(new JsonlSink((line) => w.line(line)));
  }
  // Telemetry exports (--prometheus, --jaeger, --access-log, --fortio, --graph, --report) stream as sinks.
  for (const [flag, path] of exportPaths(args)) checkOutputPath(path, flag, inputs);
  let exports: Exports | null = null;
  try {
    if (exportPaths(args).length > 0) exports = new Exports(args, scenario, replayCommand(args, scenario.seed));
  } catch (e) {
    traceWriter?.abort();
    throw e;
  }
  if (exports) sinks.push(...exports.traceSinks);
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
    exports?.abort();
    if (e instanceof OutputTooLarge) return traceBudgetStop(args.scenario, e);
    throw writeProblem(e, args.trace);
  } finally {
    progress?.done();
  }
  if (result.budgetMessage) {
    traceWriter?.abort();
    exports?.abort();
    process.stderr.write(`meshsim: ${args.scenario}: run stopped: ${result.budgetMessage}\n`);
    return 2;
  }
  try {
    traceWriter?.commit();
    exports?.commit(result);
  } catch (e) {
    traceWriter?.abort();
    exports?.abort();
    throw writeProblem(e, args.trace);
  }

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
