/**
 * Build of the browser sandbox (`npm run build:viz` → viz/dist/index.html).
 *
 * The output is ONE self-contained HTML file: the page script, its CSS and the simulation worker
 * (inlined as a Blob) all live inside index.html. That is what makes it work when opened from
 * `file://` — Chromium refuses module scripts and worker scripts loaded from file URLs (origin
 * "null") — and from any static host. The plugin below also writes a Content-Security-Policy
 * that names the inlined script and style by hash and allows no network access beyond the page's
 * own origin, so a scenario can never make the page talk to another host.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const vizRoot = fileURLToPath(new URL('.', import.meta.url));

/** Inlines the entry chunk and CSS into index.html and adds a hash-based CSP (build only). */
function singleFile(): Plugin {
  return {
    name: 'meshsim-single-file',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const html = Object.values(bundle).find((f) => f.type === 'asset' && f.fileName === 'index.html');
      if (!html || html.type !== 'asset') return;
      let text = String(html.source);
      const hashes = { script: [] as string[], style: [] as string[] };
      for (const [name, file] of Object.entries(bundle)) {
        if (file.type === 'chunk' && file.isEntry) {
          const code = escapeForInlineScript(file.code);
          const tag = new RegExp(`<script type="module"[^>]*src="\\./${escapeRegExp(name)}"[^>]*></script>`);
          if (!tag.test(text)) this.error(`single-file: no <script> tag for ${name} in index.html`);
          text = text.replace(tag, () => `<script type="module">${code}</script>`);
          hashes.script.push(sha256(code));
          delete bundle[name];
        } else if (file.type === 'asset' && name.endsWith('.css')) {
          const css = String(file.source).replace(/<\/style/gi, '<\\/style');
          const tag = new RegExp(`<link rel="stylesheet"[^>]*href="\\./${escapeRegExp(name)}"[^>]*>`);
          if (!tag.test(text)) this.error(`single-file: no <link> tag for ${name} in index.html`);
          text = text.replace(tag, () => `<style>${css}</style>`);
          hashes.style.push(sha256(css));
          delete bundle[name];
        }
      }
      const left = Object.keys(bundle).filter((n) => n !== 'index.html');
      if (left.length > 0) this.error(`single-file: unexpected extra output files: ${left.join(', ')}`);
      const csp = [
        "default-src 'none'",
        `script-src ${hashes.script.map((h) => `'sha256-${h}'`).join(' ')}`,
        'worker-src blob:',
        `style-src ${hashes.style.map((h) => `'sha256-${h}'`).join(' ')}`,
        'img-src data:',
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
      ].join('; ');
      text = text.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${csp}" />`);
      html.source = text;
    },
  };
}

/** Text inside <script> must not contain "</script" or "<!--" (HTML script-data states). */
function escapeForInlineScript(code: string): string {
  const out = code.replace(/<\/script/gi, '<\\/script');
  if (out.includes('<!--')) throw new Error('single-file: bundled code contains "<!--"; cannot inline it safely');
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

export default defineConfig({
  root: vizRoot,
  base: './',
  logLevel: 'warn',
  resolve: {
    // seedrandom's ARC4 file tries require('crypto') for auto-seeding, which meshsim never uses
    // (every stream has an explicit seed). Give the browser bundle an empty module instead of
    // Vite's "externalized for browser compatibility" stub and its warning.
    alias: { crypto: fileURLToPath(new URL('./src/empty-module.ts', import.meta.url)) },
  },
  worker: { format: 'iife' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    cssCodeSplit: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 4096,
    rolldownOptions: { output: { codeSplitting: false } },
  },
  plugins: [singleFile()],
  server: { host: '127.0.0.1', fs: { allow: ['..'] } },
  preview: { host: '127.0.0.1' },
});
