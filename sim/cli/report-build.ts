/**
 * Builds the HTML report's script (viz/report, with the sandbox's graph code and d3) into one
 * IIFE file plus one CSS file with Vite's library mode. Nothing generated is committed: `run
 * --report` builds on demand into `.meshsim/report/<hash of the sources>/` and reuses that build
 * until a source changes. Runs as a child process (`node --import tsx report-build.ts OUTDIR`)
 * because `run` itself is synchronous.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const REPORT_SRC = join(repoRoot, 'viz', 'report');
/** Sandbox modules the report reuses (graph model, layout, renderer, tables, styles). */
const SHARED = ['model.ts', 'layout.ts', 'render-graph.ts', 'render-report.ts', 'dom.ts', 'protocol.ts', 'style.css'].map((f) => join(repoRoot, 'viz', 'src', f));

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    });
}

/** Hash of everything the bundle is made from, so a cached build is reused only while it is current. */
export function reportSourceHash(): string {
  const h = createHash('sha256');
  for (const f of [...filesUnder(REPORT_SRC), ...SHARED, join(repoRoot, 'package-lock.json')]) {
    if (!existsSync(f)) continue;
    h.update(f.slice(repoRoot.length)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

export async function buildReportBundle(outDir: string): Promise<void> {
  const vite = await import('vite');
  await vite.build({
    configFile: false,
    root: REPORT_SRC,
    logLevel: 'warn',
    // seedrandom (pulled in through sim/index types only) would ask for Node's crypto; never used.
    resolve: { alias: { crypto: join(repoRoot, 'viz', 'src', 'empty-module.ts') } },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      reportCompressedSize: false,
      cssCodeSplit: false,
      lib: { entry: join(REPORT_SRC, 'main.ts'), formats: ['iife'], name: 'meshsimReport', fileName: () => 'report.js', cssFileName: 'report' },
      rolldownOptions: { output: { codeSplitting: false } },
    },
  });
}

const isEntry = process.argv[1] !== undefined && /(?:^|[/\\])report-build\.ts$/.test(process.argv[1]);
if (isEntry) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: report-build.ts OUTDIR\n');
    process.exitCode = 2;
  } else {
    buildReportBundle(out).catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    });
  }
}
