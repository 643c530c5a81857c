/**
 * `meshsim test-routes -t TESTS... CONFIG... [--from WORKLOAD] [--istio VERSION]`: runs
 * istio-config-validator test cases (unchanged YAML) against manifests with meshsim's routing.
 * One PASS/FAIL line per expanded input, failure reasons indented under it, and
 * `N passed, M failed` alone on the last line. Exit 0 all pass, 1 one failed, 2 invalid input.
 */
import type { Command } from 'commander';
import { defaultProfile, loadManifests } from '../config/index.ts';
import { parseRouteTests, runRouteTests, type RouteTestCase, type RouteTestResult } from '../analyze/index.ts';
import { formatDiagnostic, InputError, type Diagnostic } from '../domain/diagnostics.ts';
import { UsageError } from './errors.ts';
import { nodeFiles } from './node-files.ts';
import { expandPaths, type CliIo } from './validate-command.ts';

export interface TestRoutesArgs {
  tests: string[];
  config: string[];
  from?: string;
  istioVersion?: string;
}

const stdio: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export function testRoutesCommand(args: TestRoutesArgs, io: CliIo = stdio): number {
  try {
    return run(args, io);
  } catch (e) {
    if (e instanceof InputError) {
      io.err(e.diagnostics.map(formatDiagnostic).join('\n') + '\n');
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`meshsim test-routes: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function describeInput(r: RouteTestResult): string {
  const i = r.input;
  const hs = Object.entries(i.headers).map(([k, v]) => `${k}: ${v}`);
  const qs = Object.entries(i.queryParams).map(([k, v]) => (v === null ? k : `${k}=${v}`));
  const uri = qs.length > 0 ? `${i.uri}${i.uri.includes('?') ? '&' : '?'}${qs.join('&')}` : i.uri;
  return `${i.method} ${i.authority}${uri}${hs.length > 0 ? ` [${hs.join(', ')}]` : ''}`;
}

function run(args: TestRoutesArgs, io: CliIo): number {
  if (args.tests.length === 0) throw new UsageError('give test cases with -t FILE (repeatable)');
  if (args.config.length === 0) throw new UsageError('give at least one config file or folder');
  let profile;
  try {
    profile = defaultProfile(args.istioVersion);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const files = nodeFiles();
  const cases: RouteTestCase[] = [];
  const problems: Diagnostic[] = [];
  for (const path of expandPaths(args.tests)) {
    const read = files.read(path);
    if (!read.ok) throw new UsageError(`-t ${path}: cannot read it (${read.reason})`);
    const parsed = parseRouteTests(read.text, path);
    cases.push(...parsed.cases);
    problems.push(...parsed.diagnostics);
  }
  if (problems.length > 0) throw new InputError(problems);
  if (cases.length === 0) throw new UsageError(`no test cases in ${args.tests.join(', ')}`);
  const { resources } = loadManifests(expandPaths(args.config), files, { profile });
  const results = runRouteTests(cases, resources, profile, { from: args.from });
  let last = '';
  for (const r of results) {
    if (r.description !== last) io.out(`test: ${r.description}\n`);
    last = r.description;
    io.out(`${r.passed ? 'PASS' : 'FAIL'} ${describeInput(r)}\n`);
    for (const why of r.reasons) io.out(`    ${why}\n`);
  }
  const failed = results.filter((r) => !r.passed).length;
  io.out(`${results.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers `test-routes` on the program; main.ts calls this once. */
export function registerTestRoutesCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('test-routes')
    .description("Run istio-config-validator route test cases against manifests (exit 0: all pass, 1: one failed, 2: invalid input)")
    .argument('<config...>', 'Kubernetes and Istio YAML files or folders')
    .option('-t, --tests <file>', 'test-case YAML file or folder (repeatable)', collect, [])
    .option('--from <workload>', 'send every request from this Deployment\'s sidecar ("name" or "namespace/name")')
    .option('--istio <version>', 'Istio version for the semantics profile')
    .action((config: string[], opts: Record<string, unknown>) => {
      setExit(testRoutesCommand({ tests: opts.tests as string[], config, from: opts.from as string | undefined, istioVersion: opts.istio as string | undefined }));
    });
}
