/** Registers the CI commands (`check`, `diff`) on the program; main.ts calls this once. */
import type { Command } from 'commander';
import { checkCommand } from './check-command.ts';
import { diffCommand } from './diff-command.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerCheckCommands(program: Command, setExit: (code: number) => void): void {
  program
    .command('check')
    .description('Run scenarios and check their expectations (exit 0: all hold, 1: one failed, 2: invalid input)')
    .argument('<scenarios...>', 'scenario YAML files')
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--json', 'print the results as JSON instead of text', false)
    .option('--seeds <n>', 'run each scenario over n seeds, from its own seed on')
    .option('--coverage', 'report which VirtualService rules and match blocks the traffic exercised', false)
    .option('--fail-under <pct>', 'fail when route coverage is under this percentage (implies --coverage)')
    .action((scenarios: string[], opts: Record<string, unknown>) => {
      setExit(
        checkCommand({
          scenarios,
          junit: opts.junit as string | undefined,
          json: Boolean(opts.json),
          seeds: opts.seeds as string | undefined,
          coverage: Boolean(opts.coverage),
          failUnder: opts.failUnder as string | undefined,
        }),
      );
    });

  program
    .command('diff')
    .description('Run a scenario with base and head manifests applied and report what the change does to traffic')
    .argument('<scenario>', 'scenario YAML file')
    .option('--base <file>', 'manifests of the base configuration (repeatable)', collect, [])
    .option('--head <file>', 'manifests of the head configuration (repeatable)', collect, [])
    .option('--seed <n>', 'override the scenario seed')
    .option('--duration <d>', 'override how long traffic runs, e.g. 30s')
    .option('--json', 'print the diff as JSON', false)
    .action((scenario: string, opts: Record<string, unknown>) => {
      setExit(
        diffCommand({
          scenario,
          base: opts.base as string[],
          head: opts.head as string[],
          seed: opts.seed as string | undefined,
          duration: opts.duration as string | undefined,
          json: Boolean(opts.json),
        }),
      );
    });
}
