/**
 * `meshsim` command line. Every failure the user can cause ends with a readable message and exit
 * code 2; a stack trace is printed only for internal errors and only with MESHSIM_DEBUG=1.
 */
import { Command, CommanderError, Option } from 'commander';
import { InputError, formatDiagnostic } from '../domain/diagnostics.ts';
import { MESHSIM_VERSION } from '../version.ts';
import { UsageError } from './errors.ts';
import { runCommand } from './run-command.ts';
import { routeCommand } from './route.ts';
import { registerCheckCommands } from './check-commands.ts';
import { registerValidateCommand } from './validate-command.ts';
import { registerTestRoutesCommand } from './test-routes-command.ts';
import { registerLabCommands } from './lab-command.ts';
import { serveCommand } from './serve-command.ts';
import { sweepCommand } from './sweep-command.ts';
import { scenarioJsonSchema } from '../config/index.ts';
import { writeFileAtomic } from './output.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('meshsim')
    .description('Deterministic simulator of an Istio service mesh: run scenarios, explain routing, check expectations.')
    .version(MESHSIM_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('run')
    .description('Run a scenario and print its summary (exit 0: expectations hold, 1: one failed, 2: invalid input)')
    .argument('<scenario>', 'scenario YAML file')
    .option('--seed <n>', 'override the scenario seed')
    .option('--duration <d>', 'override how long traffic runs, e.g. 60s')
    .option('--apply <file>', 'layer extra manifests at t=0 (repeatable; same kind/namespace/name replaces)', collect, [])
    .option('--json', 'print the summary JSON (format 1) instead of tables', false)
    .option('--trace <file>', 'write the full trace as JSON lines')
    .option('--max-events <n>', 'budget: stop after this many engine events')
    .option('--max-sim-time <d>', 'budget: stop at this simulated time')
    .option('--max-in-flight <n>', 'budget: stop when more requests than this are in flight at once')
    .option('--max-trace-bytes <size>', 'budget: stop when the --trace file would grow past this size, e.g. 500MB (default 2GiB)')
    .option('--explain <request>', 'print the decision chain of one client request (its id as in the trace)')
    .option('--prometheus <file>', "write Istio metrics (istio_requests_total, istio_request_duration_milliseconds) in Prometheus' text format")
    .option('--prometheus-step <d>', 'simulated time between two samples of each metric (default 15s)')
    .option('--jaeger <file>', 'write Jaeger UI JSON: one trace per client request, a span per upstream attempt')
    .option('--access-log <file>', "write Envoy access-log lines in Istio's default TEXT format, one per upstream attempt")
    .option('--fortio <file>', 'write fortio result JSON for the traffic clients (closed-loop ones when there are any)')
    .option('--graph <file>', 'write a Kiali-shaped graph JSON (workload graph with rates, % of traffic, response codes)')
    .option('--report <file>', 'write a self-contained HTML report (graph, charts over time, verdicts); works offline')
    .action((scenario: string, opts: Record<string, unknown>) => {
      setExit(
        runCommand({
          scenario,
          seed: opts.seed as string | undefined,
          duration: opts.duration as string | undefined,
          apply: opts.apply as string[],
          json: Boolean(opts.json),
          trace: opts.trace as string | undefined,
          maxEvents: opts.maxEvents as string | undefined,
          maxSimTime: opts.maxSimTime as string | undefined,
          maxInFlight: opts.maxInFlight as string | undefined,
          maxTraceBytes: opts.maxTraceBytes as string | undefined,
          explain: opts.explain as string | undefined,
          prometheus: opts.prometheus as string | undefined,
          prometheusStep: opts.prometheusStep as string | undefined,
          jaeger: opts.jaeger as string | undefined,
          accessLog: opts.accessLog as string | undefined,
          fortio: opts.fortio as string | undefined,
          graph: opts.graph as string | undefined,
          report: opts.report as string | undefined,
        }),
      );
    });

  program
    .command('route')
    .description('Explain where one request would go, from config alone (no traffic is simulated)')
    .argument('<manifests...>', 'Kubernetes and Istio YAML files')
    .requiredOption('--from <workload>', 'calling Deployment ("name" or "namespace/name")')
    .requiredOption('--url <url>', 'request URL, e.g. http://reviews:9080/reviews/0')
    .option('-H, --header <header>', "request header 'name: value' (repeatable)", collect, [])
    .option('--method <method>', 'HTTP method', 'GET')
    .option('--istio <version>', 'Istio version for the semantics profile')
    .option('--json', 'print the JSON contract of DESIGN.md', false)
    .action(async (manifests: string[], opts: Record<string, unknown>) => {
      setExit(
        await routeCommand({
          manifests,
          from: opts.from as string,
          url: opts.url as string,
          headers: opts.header as string[],
          method: opts.method as string,
          json: Boolean(opts.json),
          istioVersion: opts.istio as string | undefined,
        }),
      );
    });

  program
    .command('serve')
    .description('Serve the browser sandbox on 127.0.0.1 (builds viz/dist first when missing) and print its URL')
    .argument('[scenario]', 'scenario YAML file to open; its folder is served under /scenarios/')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '5173')
    .option('--build', 'rebuild the app even when viz/dist exists', false)
    .action(async (scenario: string | undefined, opts: { port: string; build: boolean }) => {
      await serveCommand({ scenario, port: opts.port, build: Boolean(opts.build) });
    });

  program
    .command('sweep')
    .description('Run a scenario over many seeds and/or parameter values in parallel and summarise (exit 0: all pass, 1: one failed, 2: invalid input)')
    .argument('<scenario>', 'scenario YAML file')
    .option('--seeds <list>', 'seeds: a range 1..100, a list 1,5,9 or both (default: the scenario seed)')
    .option('--param <path=values>', 'vary a scenario field, e.g. spec.traffic[0].rate=100/s,200/s (repeatable: all combinations)', collect, [])
    .option('--workers <n>', 'runs at once: this thread plus n-1 worker threads (default: one per core; 0 or 1 = only this thread)')
    .option('--shard <i/n>', 'run only the i-th of n slices of the job list (CI matrix)')
    .option('--json <file>', 'also write every run and the summary as JSON')
    .addOption(new Option('--threads-only', 'run every job in worker threads, none in this thread').hideHelp())
    .action(async (scenario: string, opts: Record<string, unknown>) => {
      setExit(
        await sweepCommand({
          threadsOnly: Boolean(opts.threadsOnly),
          scenario,
          seeds: opts.seeds as string | undefined,
          params: opts.param as string[],
          workers: opts.workers as string | undefined,
          shard: opts.shard as string | undefined,
          json: opts.json as string | undefined,
        }),
      );
    });

  registerCheckCommands(program, setExit);
  registerValidateCommand(program, setExit);
  registerTestRoutesCommand(program, setExit);
  registerLabCommands(program, setExit);

  program
    .command('schema')
    .description('Print (or write with --out) the JSON Schema of scenario files, for editor completion')
    .option('--out <file>', 'write to this file instead of stdout')
    .action((opts: { out?: string }) => {
      const text = JSON.stringify(scenarioJsonSchema(), null, 2) + '\n';
      if (opts.out) writeFileAtomic(opts.out, text);
      else process.stdout.write(text);
    });

  return program;
}

/** `meshsim run … | head` closes stdout early: that ends the command quietly, not with a stack trace. */
function quietOnBrokenPipe(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

export async function main(argv: string[]): Promise<number> {
  quietOnBrokenPipe();
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    return reportError(e);
  }
}

/** Diagnostics printed for one failed load; the count of the rest follows. */
const MAX_PRINTED_DIAGNOSTICS = 100;

function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // Help and version exit 0; usage mistakes were already printed by commander.
    return e.exitCode === 0 ? 0 : 2;
  }
  if (e instanceof InputError) {
    // Hostile input can produce thousands of diagnostics; the first ones are what to fix first.
    const shown = e.diagnostics.slice(0, MAX_PRINTED_DIAGNOSTICS);
    process.stderr.write(shown.map(formatDiagnostic).join('\n') + '\n');
    const more = e.diagnostics.length - shown.length;
    if (more > 0) process.stderr.write(`meshsim: ... and ${more} more problems not shown; fix the ones above first\n`);
    return 2;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`meshsim: ${e.message}\n`);
    return 2;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`meshsim: internal error: ${err.message}\nThis is a bug in meshsim; please report it with the command you ran.\n`);
  if (process.env.MESHSIM_DEBUG) process.stderr.write(`${err.stack}\n`);
  return 3;
}

const isEntry = process.argv[1] !== undefined && /(?:^|[/\\])main\.ts$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
