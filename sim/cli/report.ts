/**
 * `run --report FILE.html`: one self-contained HTML file — the report script and CSS inlined, the
 * run's data in an inert JSON block, a Content-Security-Policy that allows the inlined script and
 * style by hash and no network at all. Opens offline from file:// or as a CI artifact.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddableJson, type ReportData } from '../export/report-data.ts';
import { repoRoot, reportSourceHash } from './report-build.ts';
import { writeFileAtomic } from './output.ts';
import { UsageError } from './errors.ts';

const BUILD_SCRIPT = fileURLToPath(new URL('./report-build.ts', import.meta.url));

/** The bundle folder for the current sources, built first when missing. */
export function ensureReportBundle(): string {
  const dir = join(repoRoot, '.meshsim', 'report', reportSourceHash());
  if (existsSync(join(dir, 'report.js'))) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  mkdirSync(join(repoRoot, '.meshsim', 'report'), { recursive: true });
  const r = spawnSync(process.execPath, ['--import', 'tsx', BUILD_SCRIPT, tmp], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(join(tmp, 'report.js'))) {
    rmSync(tmp, { recursive: true, force: true });
    const why = `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim();
    if (/Cannot find (?:package|module) 'vite'/.test(why)) throw new UsageError('--report needs the dev dependencies to build the report page; run `npm install` first');
    throw new Error(`building the report page failed: ${why || `exit ${r.status}`}`);
  }
  // Another run may have finished the same build meanwhile; either copy is the same.
  if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
  else renameSync(tmp, dir);
  return dir;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

/** Text inside <script>/<style> must not close its element early. */
function inlineSafe(code: string, tag: 'script' | 'style'): string {
  return code.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`);
}

export function reportHtml(data: ReportData, script: string, css: string): string {
  const js = inlineSafe(script, 'script');
  const style = inlineSafe(css, 'style');
  const csp = ["default-src 'none'", `script-src 'sha256-${sha256(js)}'`, `style-src 'sha256-${sha256(style)}'`, 'img-src data:', "base-uri 'none'", "form-action 'none'"].join('; ');
  const title = `meshsim report: ${data.header.scenario}`.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    '<div id="report"></div>',
    `<script type="application/json" id="report-data">${embeddableJson(data)}</script>`,
    `<script>${js}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function writeReport(path: string, data: ReportData): void {
  const dir = ensureReportBundle();
  const script = readFileSync(join(dir, 'report.js'), 'utf8');
  const css = existsSync(join(dir, 'report.css')) ? readFileSync(join(dir, 'report.css'), 'utf8') : '';
  writeFileAtomic(path, reportHtml(data, script, css));
}
