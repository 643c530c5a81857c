/**
 * `meshsim diff <scenario> --base A.yaml --head B.yaml`: runs the scenario's seeded traffic once
 * with A applied and once with B applied (like `run --apply`, layered at t=0) and reports what the
 * change does to traffic. Exit 0 with a report, 2 for invalid input or a run stopped by a budget.
 */
import { loadScenario } from '../config/index.ts';
import { parseDuration } from '../domain/time.ts';
import { diffTraffic, FlowLatencyFold, type TrafficView } from '../expect/diff.ts';
import { runScenario, type RunSummary } from '../run.ts';
import { formatDiff } from './diff-format.ts';
import { UsageError } from './errors.ts';
import { nodeFiles } from './node-files.ts';

export interface DiffArgs {
  scenario: string;
  base: string[];
  head: string[];
  seed?: string;
  duration?: string;
  json: boolean;
}

function runWith(args: DiffArgs, apply: string[], seed: number | undefined, durationUs: number | undefined): { summary: RunSummary; view: TrafficView } {
  const s = loadScenario(args.scenario, nodeFiles(), { seed, durationUs, apply });
  const flows = new FlowLatencyFold();
  // Expectations belong to the scenario's own config; a diff only compares traffic.
  const result = runScenario({ ...s, expectations: [] }, { sinks: [flows] });
  if (result.budgetMessage) throw new UsageError(`${args.scenario} with ${apply.join(', ')}: run stopped: ${result.budgetMessage}`);
  return { summary: result.summary, view: { ...result.summary, flowLatency: flows.summaries() } };
}

export function diffCommand(args: DiffArgs, out: (text: string) => void = (t) => process.stdout.write(t)): number {
  if (args.base.length === 0 || args.head.length === 0) throw new UsageError('diff needs --base FILE and --head FILE (each repeatable)');
  let seed: number | undefined;
  if (args.seed !== undefined) {
    if (!/^\d+$/.test(args.seed) || !Number.isSafeInteger(Number(args.seed))) throw new UsageError(`--seed expects a whole number >= 0, got "${args.seed}"`);
    seed = Number(args.seed);
  }
  let durationUs: number | undefined;
  if (args.duration !== undefined) {
    const d = parseDuration(args.duration);
    if (!d.ok || d.us === 0) throw new UsageError(`--duration: ${d.ok ? 'must be greater than 0' : d.error}`);
    durationUs = d.us;
  }
  const { summary: base, view: baseView } = runWith(args, args.base, seed, durationUs);
  const { summary: head, view: headView } = runWith(args, args.head, seed, durationUs);
  const diff = diffTraffic(baseView, headView);
  if (args.json) {
    const doc = { ...diff, scenario: args.scenario, seed: base.seed, base: { apply: args.base, traceHash: base.traceHash }, head: { apply: args.head, traceHash: head.traceHash } };
    out(JSON.stringify(doc, null, 2) + '\n');
  } else {
    out(formatDiff(diff, `meshsim diff ${args.scenario} (seed ${base.seed}): base ${args.base.join(', ')} → head ${args.head.join(', ')}`) + '\n');
  }
  return 0;
}
