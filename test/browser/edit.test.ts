/**
 * The sandbox's editing loop in Chromium: the weighted-routing wizard writes a VirtualService,
 * Run moves the reviews split and the before/after view shows it; an invalid edit is marked on
 * its line; a share link opens the same files in a fresh page and gives the same trace hash.
 * Screenshots go to test-artifacts/ (gitignored).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../viz/src/share/bundle.ts';
import { artifacts, browserSkipReason, repoRoot, useSandbox, watchPage, type PageWatch } from './chromium.ts';

if (browserSkipReason) console.warn(browserSkipReason);

/** "1234 req · 33.3%" edge labels of the main graph, keyed "from>to" by workload name. */
async function edgeLabels(page: Page): Promise<Map<string, { requests: number; percent: number }>> {
  const out = new Map<string, { requests: number; percent: number }>();
  for (const g of await page.locator('#graph svg.graph g.edge-label').all()) {
    const key = ((await g.getAttribute('data-edge')) ?? '').replace(/wl:default\//g, '');
    const m = /^(\d+) req · ([\d.]+)%/.exec((await g.locator('text').first().textContent()) ?? '');
    if (m) out.set(key, { requests: Number(m[1]), percent: Number(m[2]) });
  }
  return out;
}

async function traceHash(page: Page): Promise<string> {
  return page.evaluate(() => {
    for (const f of Array.from(document.querySelectorAll('[data-testid="facts"] .fact'))) if (f.querySelector('dt')?.textContent === 'trace hash') return f.querySelector('dd')?.textContent ?? '';
    return '';
  });
}

describe.skipIf(browserSkipReason !== null)('browser sandbox: edit, wizard, rerun, compare, share', () => {
  const sb = useSandbox('edit');

  async function openApp(url: string): Promise<{ page: Page; watch: PageWatch }> {
    const page = await sb.browser.context.newPage();
    const watch = watchPage(page);
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    return { page, watch };
  }

  let runs = 0;
  async function run(page: Page): Promise<void> {
    await page.click('#run');
    await page.waitForSelector(`body[data-runs="${++runs}"]`, { timeout: 60_000 });
  }

  it('weighted-routing wizard: reviews v1 at 80 % moves the split after Run, and the before/after view shows it; share link reruns to the same hash', async () => {
    runs = 0;
    const { page, watch } = await openApp(sb.server.url);
    // The scenario and the manifest it names are tabs of the editor.
    expect(await page.locator('[data-testid="editor-tabs"] button[role="tab"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).toEqual(['scenarios/bookinfo.yaml', 'scenarios/bookinfo/platform.yaml']);

    await run(page);
    const before = await edgeLabels(page);
    const n0 = ['reviews-v1', 'reviews-v2', 'reviews-v3'].reduce((n, v) => n + before.get(`productpage-v1>${v}`)!.requests, 0);
    // Default LEAST_REQUEST over three versions: about a third each (5-sigma binomial band).
    expect(Math.abs(before.get('productpage-v1>reviews-v1')!.requests / n0 - 1 / 3)).toBeLessThan(5 * Math.sqrt((1 / 3) * (2 / 3) / n0));

    await page.click('button[data-wizard="weighted"]');
    await page.locator('input[type="range"][data-version="v1"]').evaluate((el) => {
      (el as HTMLInputElement).value = '80';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(await page.locator('input[data-version-number]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['80', '10', '10']);
    await page.click('[data-testid="wizard-write"]');
    await page.waitForSelector('[data-testid="editor-tabs"] button[data-path="scenarios/reviews-weighted.yaml"][aria-selected="true"]');
    const written = await page.locator('[data-testid="code-editor"] .cm-content').textContent();
    expect(written).toContain('kind: VirtualService');
    expect(written).toContain('weight: 80');

    await run(page);
    expect(await page.locator('#status').textContent()).toMatch(/^Ran bookinfo/);
    const after = await edgeLabels(page);
    const n1 = ['reviews-v1', 'reviews-v2', 'reviews-v3'].reduce((n, v) => n + after.get(`productpage-v1>${v}`)!.requests, 0);
    const p1 = after.get('productpage-v1>reviews-v1')!.requests / n1;
    expect(Math.abs(p1 - 0.8)).toBeLessThan(5 * Math.sqrt((0.8 * 0.2) / n1));
    // The edge label's percentage is of all of productpage's calls (details takes the other half).
    expect(after.get('productpage-v1>reviews-v1')!.percent).toBeGreaterThan(before.get('productpage-v1>reviews-v1')!.percent + 10);

    // Before/after: the flow moved, v1's row says so, both graphs are drawn.
    const compare = page.locator('[data-testid="compare"]');
    await compare.waitFor();
    expect(await compare.locator('h2').textContent()).toBe('Before → after: run 1 → run 2');
    expect(await compare.locator('[data-testid="compare-summary"]').textContent()).toMatch(/productpage-v1 → reviews \([\d.]+% moved\)/);
    const v1Row = await compare.locator('[data-testid="compare-shares"] tbody tr', { hasText: 'reviews-v1 (v1)' }).first().locator('td').allTextContents();
    expect(v1Row[0]).toBe('productpage-v1 → reviews');
    expect(v1Row[2]).toBe(`${((100 * before.get('productpage-v1>reviews-v1')!.requests) / n0).toFixed(1)}% (${before.get('productpage-v1>reviews-v1')!.requests})`);
    expect(v1Row[3]).toBe(`${((100 * after.get('productpage-v1>reviews-v1')!.requests) / n1).toFixed(1)}% (${after.get('productpage-v1>reviews-v1')!.requests})`);
    expect(v1Row[5]).toBe('moved');
    expect(await compare.locator('svg.compare-svg').count()).toBe(2);
    // The page's own graph is still the only svg.graph.
    expect(await page.locator('svg.graph').count()).toBe(1);
    await page.screenshot({ path: join(artifacts, 'edit-wizard-compare.png'), fullPage: true });

    // Share link: a fresh page opens the same files (wizard file included) and reruns to the same hash.
    const hash = await traceHash(page);
    expect(hash).toMatch(/^[0-9a-f]{8,}/);
    await page.click('[data-testid="share-link"]');
    await page.waitForSelector('[data-testid="share-link-text"]:not([hidden])');
    const link = await page.locator('[data-testid="share-link-text"]').inputValue();
    expect(link).toMatch(/#bundle=[A-Za-z0-9_-]+$/);
    const other = await openApp(link);
    expect(await other.page.locator('#status').textContent()).toMatch(/^Opened the shared link: scenarios\/bookinfo\.yaml with 3 file\(s\)\. Press Run\./);
    expect(await other.page.locator('[data-testid="editor-tabs"] button[role="tab"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).toEqual(['scenarios/bookinfo.yaml', 'scenarios/bookinfo/platform.yaml', 'scenarios/reviews-weighted.yaml']);
    await other.page.click('#run');
    await other.page.waitForSelector('body[data-runs="1"]', { timeout: 60_000 });
    expect(await traceHash(other.page)).toBe(hash);
    await other.page.screenshot({ path: join(artifacts, 'share-link-opened.png'), fullPage: true });
    // The same link works on the single-file build opened from file:// (the offline case).
    const offline = await openApp(pathToFileURL(join(sb.appDir, 'index.html')).href + link.slice(link.indexOf('#')));
    await offline.page.click('#run');
    await offline.page.waitForSelector('body[data-runs="1"]', { timeout: 60_000 });
    expect(await traceHash(offline.page)).toBe(hash);
    expect(offline.watch.consoleErrors).toEqual([]);
    await offline.page.close();

    // Export bundle: a JSON download carrying the files and the run's hash; importing it in a
    // fresh page and running gives that hash again.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-bundle"]')]);
    expect(download.suggestedFilename()).toBe('bookinfo.meshsim.json');
    const text = readFileSync((await download.path())!, 'utf8');
    const bundle = readBundle(text);
    expect(bundle.ok).toBe(true);
    if (!bundle.ok) return;
    expect(bundle.bundle.summary?.traceHash).toBe(hash);
    expect(bundle.bundle.apply).toEqual(['scenarios/reviews-weighted.yaml']);
    const third = await openApp(sb.server.url);
    await third.page.setInputFiles('[data-testid="import-bundle"]', { name: 'bookinfo.meshsim.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await third.page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').startsWith('Opened bundle'));
    expect(await third.page.locator('#status').textContent()).toContain(`The sender's run had trace hash ${hash}.`);
    await third.page.click('#run');
    await third.page.waitForSelector('body[data-runs="1"]', { timeout: 60_000 });
    expect(await traceHash(third.page)).toBe(hash);
    // A broken bundle is refused with a message, and the page keeps what it had.
    await third.page.setInputFiles('[data-testid="import-bundle"]', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: 'meshsim-bundle', version: 1, entry: '../x.yaml', files: {} })) });
    await third.page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').startsWith('Cannot open'));
    expect(await third.page.locator('#status').textContent()).toMatch(/^Cannot open bundle bad\.json: bad\.json is not a meshsim run bundle: entry: must be a relative/);
    expect(await third.page.locator('[data-testid="editor-tabs"] button[role="tab"]').count()).toBe(3);
    await third.page.close();

    for (const w of [watch, other.watch, third.watch]) {
      expect(w.consoleErrors).toEqual([]);
      expect(w.foreignRequests).toEqual([]);
    }
    await other.page.close();
    await page.close();
  }, 180_000);

  it('request-matching wizard: end-user exact jason → v2, others → v1; every jason page reaches v2 after Run', async () => {
    runs = 0;
    const { page, watch } = await openApp(sb.server.url);
    await run(page);
    await page.click('button[data-wizard="matching"]');
    // The form's defaults are the istio.io request-routing task: end-user exact jason → v2.
    expect(await page.locator('[data-testid="wizard-form"] input[aria-label="header name"]').inputValue()).toBe('end-user');
    expect(await page.locator('[data-testid="wizard-form"] input[aria-label="header value"]').inputValue()).toBe('jason');
    await page.click('[data-testid="wizard-write"]');
    await page.waitForSelector('[data-testid="editor-tabs"] button[data-path="scenarios/reviews-matching.yaml"]');
    await run(page);
    const labels = await edgeLabels(page);
    const jason = await page.locator('[data-testid="clients"] tbody tr', { hasText: 'jason' }).locator('td').nth(1).textContent();
    expect(labels.get('productpage-v1>reviews-v2')?.requests).toBe(Number(jason));
    expect(labels.has('productpage-v1>reviews-v3')).toBe(false);
    // A bad regex is refused in the form, before anything is written.
    await page.selectOption('[data-testid="wizard-form"] select[aria-label="match kind"]', 'regex');
    await page.fill('[data-testid="wizard-form"] input[aria-label="header value"]', '(');
    await page.click('[data-testid="wizard-write"]');
    expect(await page.locator('[data-testid="wizard-errors"] li').allTextContents()).toEqual(['match 1: "(" is not a valid regular expression (Istio uses RE2 syntax)']);
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  }, 120_000);

  it('an invalid edit is marked on its line in the editor, with the message', async () => {
    runs = 0;
    const { page, watch } = await openApp(sb.server.url);
    const original = await page.locator('#editor').inputValue();
    const lines = original.split('\n');
    const line = lines.findIndex((l) => l.trim() === 'rate: 20/s') + 1;
    expect(line).toBeGreaterThan(0);
    // Typed like a learner would: select the text of that line's value and type over it.
    await page.locator('#editor').evaluate((el, text) => {
      (el as HTMLTextAreaElement).value = text;
    }, lines.map((l, i) => (i === line - 1 ? l.replace('20/s', 'fast') : l)).join('\n'));
    await run(page);
    expect(await page.locator('#status').textContent()).toMatch(/^Invalid input/);
    const report = await page.locator('[data-testid="diagnostics"] pre').textContent();
    expect(report).toContain(`scenarios/bookinfo.yaml:${line}:`);

    // The tab shows an error count, the gutter a marker on that line, the text an underline.
    expect(await page.locator('[data-testid="editor-tabs"] button[data-path="scenarios/bookinfo.yaml"] [data-testid="tab-errors"]').textContent()).toBe(' 1');
    const markerLine = await page.locator('[data-testid="code-editor"]').evaluate((host) => {
      const root = host.shadowRoot!;
      const marker = root.querySelector('.cm-lint-marker-error');
      if (!marker) return null;
      const top = marker.getBoundingClientRect().top;
      for (const g of Array.from(root.querySelectorAll('.cm-lineNumbers .cm-gutterElement'))) {
        const r = g.getBoundingClientRect();
        if (r.height > 0 && Math.abs(r.top - top) < r.height / 2) return Number(g.textContent);
      }
      return -1;
    });
    expect(markerLine).toBe(line);
    expect(await page.locator('[data-testid="code-editor"] .cm-lintRange-error').first().textContent()).toContain('fast');
    // The message is readable without hovering: the editor's problem list under the text.
    expect(await page.locator('[data-testid="code-editor"] .cm-panel.cm-panel-lint li').allTextContents()).toEqual([expect.stringMatching(/^error MSH\d+ spec\.traffic\[0\]\.rate: "fast" is not a rate/)]);
    await page.screenshot({ path: join(artifacts, 'edit-invalid.png') });

    // Typing in the editor (keyboard, not script) fixes it.
    await page.locator('[data-testid="code-editor"] .cm-lintRange-error').first().dblclick();
    await page.keyboard.type('20/s');
    await run(page);
    expect(await page.locator('#status').textContent()).toMatch(/^Ran bookinfo/);
    expect(await page.locator('[data-testid="editor-tabs"] [data-testid="tab-errors"]').count()).toBe(0);
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  }, 120_000);
});
