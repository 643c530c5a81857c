/**
 * `meshsim validate <files or dirs>... [--json] [--fail-on warning|error] [--istio VERSION]`:
 * schema checks and cross-object analyzers over plain manifests (docs/validate.md). Folders are
 * walked for *.yaml / *.yml in sorted order, so the same tree always gives the same report.
 * One line per finding, `file:line:col: level CODE (Kind ns/name) message`, or a JSON array.
 * Exit 2 when input cannot be read (or is not YAML), 1 when a finding reaches --fail-on, else 0.
 */
import type { Command } from 'commander';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultProfile } from '../config/index.ts';
import { analyze, levelAtLeast } from '../analyze/index.ts';
import { loadForValidate } from '../analyze/load.ts';
import type { Diagnostic, DiagnosticLevel } from '../domain/diagnostics.ts';
import { formatLocation } from '../domain/diagnostics.ts';
import { UsageError } from './errors.ts';
import { nodeFiles } from './node-files.ts';

export interface ValidateArgs {
  paths: string[];
  json: boolean;
  failOn?: string;
  istioVersion?: string;
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Files as given, folders expanded to their *.yaml/*.yml files (recursively, sorted by name). */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort(byName)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(name)) out.push(p);
    }
  };
  for (const p of paths) {
    let dir = false;
    try {
      dir = statSync(p).isDirectory();
    } catch {
      // Missing paths stay in the list: the loader reports them as unreadable (MSH0003, exit 2).
    }
    if (dir) walk(p);
    else out.push(p);
  }
  return out;
}

export function formatFinding(d: Diagnostic): string {
  const where = d.source ? `${formatLocation(d.source)}: ` : '';
  const what = d.resource ? ` (${d.resource})` : '';
  const path = d.path ? `${d.path}: ` : '';
  return `${where}${d.level} ${d.code}${what} ${path}${d.message}`;
}

export function findingJson(d: Diagnostic): Record<string, unknown> {
  return { code: d.code, level: d.level, resource: d.resource, message: d.message, file: d.source?.file ?? null, line: d.source?.line ?? null, col: d.source?.col ?? null, path: d.path ?? null };
}

export function validateCommand(args: ValidateArgs, io: CliIo = stdio): number {
  try {
    return validate(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`meshsim validate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function validate(args: ValidateArgs, io: CliIo): number {
  if (args.paths.length === 0) throw new UsageError('give at least one file or folder');
  const failOn = (args.failOn ?? 'error') as DiagnosticLevel;
  if (failOn !== 'error' && failOn !== 'warning') throw new UsageError(`--fail-on ${args.failOn}: use warning or error`);
  let profile;
  try {
    profile = defaultProfile(args.istioVersion);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const files = expandPaths(args.paths);
  if (files.length === 0) throw new UsageError(`no *.yaml or *.yml files in ${args.paths.join(', ')}`);
  const load = loadForValidate(files, nodeFiles(), { profile });
  const findings = analyze(load.resources, load.diagnostics, profile);
  if (args.json) io.out(JSON.stringify(findings.map(findingJson), null, 2) + '\n');
  else if (findings.length > 0) io.out(findings.map(formatFinding).join('\n') + '\n');
  const count = (l: DiagnosticLevel): number => findings.filter((d) => d.level === l).length;
  if (!args.json) io.err(`${files.length} file${files.length === 1 ? '' : 's'}, ${load.resources.length} resources: ${count('error')} errors, ${count('warning')} warnings, ${count('info')} info\n`);
  if (load.unreadable) return 2;
  return findings.some((d) => levelAtLeast(d.level, failOn)) ? 1 : 0;
}

/** Registers `validate` on the program; main.ts calls this once. */
export function registerValidateCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('Check manifests: schema and cross-object analyzers with istioctl/Kiali codes (exit 0: clean, 1: findings at --fail-on, 2: unreadable input)')
    .argument('<paths...>', 'YAML files or folders (walked for *.yaml/*.yml)')
    .option('--json', 'print the findings as a JSON array', false)
    .option('--fail-on <level>', 'lowest level that fails: warning or error', 'error')
    .option('--istio <version>', 'Istio version for the semantics profile')
    .action((paths: string[], opts: Record<string, unknown>) => {
      setExit(validateCommand({ paths, json: Boolean(opts.json), failOn: opts.failOn as string, istioVersion: opts.istio as string | undefined }));
    });
}
