/**
 * The browser sandbox in Debian's Chromium: the static build served from 127.0.0.1 and opened
 * from file://, every scenario run in the page's Web Worker against Node, and the Bookinfo page
 * checked by eye through a saved screenshot (test-artifacts/).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, runScenario, type RunSummary } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { buildViz, startStaticServer, type RunningServer } from '../../sim/cli/serve-command.ts';
import type { MeshsimAutomation } from '../../viz/src/automation.ts';
import type { RunOutcome } from '../../viz/src/protocol.ts';
import { browserSkipReason, launchChromium, scenarioFiles, watchPage, type Browser, type PageWatch } from './chromium.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = join(repoRoot, 'test-artifacts');

if (browserSkipReason) console.warn(browserSkipReason);

describe.skipIf(browserSkipReason !== null)('browser sandbox in Chromium', () => {
  let appDir = '';
  let server: RunningServer;
  let browser: Browser;
  const timings: Record<string, unknown> = {};

  beforeAll(async () => {
    appDir = mkdtempSync(join(tmpdir(), 'meshsim-viz-'));
    const t0 = performance.now();
    await buildViz(appDir);
    timings.buildMs = Math.round(performance.now() - t0);
    server = await startStaticServer({ appDir, scenarioDir: join(repoRoot, 'scenarios'), port: 0 });
    browser = await launchChromium();
    mkdirSync(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (appDir) rmSync(appDir, { recursive: true, force: true });
    writeFileSync(join(artifacts, 'browser-timings.json'), JSON.stringify(timings, null, 2) + '\n');
  });

  async function openApp(url: string): Promise<{ page: import('playwright-core').Page; watch: PageWatch }> {
    const page = await browser.context.newPage();
    const watch = watchPage(page);
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    return { page, watch };
  }

  function runInPage(page: import('playwright-core').Page, path: string): Promise<RunOutcome> {
    return page.evaluate((p) => (globalThis as unknown as { meshsim: MeshsimAutomation }).meshsim.runBundled(p), path);
  }

  function runInNode(path: string): { summary: RunSummary; ms: number } {
    const t0 = performance.now();
    const scenario = loadScenario(path, nodeFiles({ cwd: repoRoot }));
    const summary = runScenario(scenario).summary;
    return { summary, ms: performance.now() - t0 };
  }

  it('every scenario in scenarios/*.yaml gives the same traceHash in the page worker and in Node', async () => {
    const files = scenarioFiles(repoRoot);
    expect(files.length).toBeGreaterThan(0);
    const { page, watch } = await openApp(server.url);
    const bundled = await page.evaluate(() => (globalThis as unknown as { meshsim: MeshsimAutomation }).meshsim.scenarios());
    expect(bundled).toEqual(files);
    const perScenario: Record<string, unknown> = {};
    for (const path of files) {
      const node = runInNode(path);
      const browserRun = await runInPage(page, path);
      perScenario[path] = { traceHash: node.summary.traceHash, events: node.summary.events, nodeMs: Math.round(node.ms), workerMs: Math.round(browserRun.parseMs + browserRun.runMs) };
      expect({ path, traceHash: browserRun.summary.traceHash }).toEqual({ path, traceHash: node.summary.traceHash });
      // Beyond the hash, the whole summary (edges, percentiles, verdicts) agrees.
      expect(browserRun.summary).toEqual(node.summary);
    }
    timings.scenarios = perScenario;
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it('Bookinfo: Run draws its workloads in the default namespace with labelled edges', async () => {
    const { page, watch } = await openApp(server.url);
    expect(await page.locator('#scenario').inputValue()).toBe('scenarios/bookinfo.yaml');
    await page.click('#run');
    await page.waitForSelector('#status[data-kind="ok"]', { timeout: 20_000 });

    const nodes = await page.locator('svg.graph g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
    expect([...nodes].sort()).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'sleep']);
    expect(await page.locator('svg.graph g.namespace text').allTextContents()).toEqual(['default']);

    const labels = new Map<string, string>();
    for (const g of await page.locator('svg.graph g.edge-label').all()) {
      labels.set((await g.getAttribute('data-edge'))!, (await g.locator('text').textContent())!);
    }
    const label = (from: string, to: string) => labels.get(`wl:default/${from}>wl:default/${to}`) ?? '';
    expect(labels.size).toBe(7);
    expect(label('sleep', 'productpage-v1')).toMatch(/^\d+ req · 100\.0%p99 \d+(\.\d)? ms$/);
    expect(label('productpage-v1', 'details-v1')).toMatch(/ · 50\.0%p99 /);
    for (const v of ['reviews-v1', 'reviews-v2', 'reviews-v3']) {
      const pct = Number(/ · ([\d.]+)%/.exec(label('productpage-v1', v))?.[1]);
      expect(pct).toBeGreaterThan(14);
      expect(pct).toBeLessThan(19.5);
    }
    expect(label('reviews-v2', 'ratings-v1')).toMatch(/ · 100\.0%p99 /);
    expect(label('reviews-v3', 'ratings-v1')).toMatch(/ · 100\.0%p99 /);

    const verdicts = await page.locator('[data-testid="expectations"] li').allTextContents();
    expect(verdicts.length).toBe(3);
    expect(verdicts.every((t) => t.startsWith('PASS'))).toBe(true);
    expect(await page.locator('[data-testid="clients"] tbody tr').count()).toBe(2);
    expect(await page.locator('[data-testid="edges"] tbody tr').count()).toBe(7);

    await page.screenshot({ path: join(artifacts, 'bookinfo.png'), fullPage: true });
    await page.locator('.graph-panel').screenshot({ path: join(artifacts, 'bookinfo-graph.png') });
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    expect(watch.requests.length).toBeGreaterThan(0);
    await page.close();
  });

  it('names from pasted YAML are rendered as text, never as markup', async () => {
    const { page, watch } = await openApp(server.url);
    const hostile = '<img src=x onerror=alert(1)>';
    const original = await page.locator('#editor').inputValue();
    let runs = 0;
    const runWith = async (yaml: string) => {
      await page.locator('#editor').evaluate((el, text) => {
        (el as unknown as { value: string }).value = text;
      }, yaml);
      await page.click('#run');
      await page.waitForSelector(`body[data-runs="${++runs}"]`, { timeout: 20_000 });
    };

    // A free-text name that reaches the page: an expectation's.
    await runWith(original.replace('name: anonymous pages are fast', `name: "${hostile} fast"`));
    expect(await page.locator('#status').textContent()).toMatch(/^Ran bookinfo/);
    expect(await page.locator('[data-testid="expectations"] li strong').allTextContents()).toContain(`${hostile} fast`);

    // A client name is free text too.
    await runWith(original.replace(/(name|client): anonymous$/gm, `$1: "${hostile}"`));
    expect(await page.locator('#status').textContent()).toMatch(/^Ran bookinfo/);
    expect(await page.locator('[data-testid="clients"] tbody tr td:first-child').allTextContents()).toContain(hostile);

    // A name that matches nothing comes back inside a diagnostic, also as text.
    await runWith(original.replace('from: sleep', `from: "${hostile}"`));
    expect(await page.locator('#status').textContent()).toMatch(/^Invalid input/);
    expect(await page.locator('[data-testid="diagnostics"] pre').textContent()).toContain(hostile);

    expect(await page.locator('img').count()).toBe(0);
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it('Load YAML…: a scenario file picked from disk runs against the bundled manifests', async () => {
    const { page, watch } = await openApp(server.url);
    const text = readFileSync(join(repoRoot, 'scenarios/bookinfo.yaml'), 'utf8').replace('name: bookinfo', 'name: my-bookinfo');
    await page.setInputFiles('#file', { name: 'my bookinfo.yaml', mimeType: 'text/yaml', buffer: Buffer.from(text) });
    await page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').startsWith('Loaded'));
    expect(await page.locator('#scenario').inputValue()).toBe('scenarios/my_bookinfo.yaml');
    await page.click('#run');
    await page.waitForSelector('body[data-runs="1"]', { timeout: 20_000 });
    expect(await page.locator('#status').textContent()).toMatch(/^Ran my-bookinfo: /);
    expect(await page.locator('svg.graph g.node').count()).toBe(7);
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it('the static build works opened from file:// (single HTML file, worker from a Blob)', async () => {
    const { page, watch } = await openApp(pathToFileURL(join(appDir, 'index.html')).href);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[^']+'; worker-src blob:; /);
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    const node = runInNode('scenarios/bookinfo.yaml');
    const outcome = await runInPage(page, 'scenarios/bookinfo.yaml');
    expect(outcome.summary.traceHash).toBe(node.summary.traceHash);
    await page.click('#run');
    await page.waitForSelector('#status[data-kind="ok"]', { timeout: 20_000 });
    expect(await page.locator('svg.graph g.node').count()).toBe(7);
    timings.bookinfo = { nodeMs: Math.round(node.ms), workerMs: Math.round(outcome.parseMs + outcome.runMs), workerRunMs: Math.round(outcome.runMs) };
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it('meshsim serve: ?scenario= loads the scenario and its manifests from the served folder', async () => {
    const { page, watch } = await openApp(`${server.url}?scenario=bookinfo.yaml`);
    expect(await page.locator('#scenario').inputValue()).toBe('scenarios/bookinfo.yaml');
    expect(await page.locator('#scenario option:checked').textContent()).toBe('bookinfo.yaml (served)');
    await page.click('#run');
    await page.waitForSelector('#status[data-kind="ok"]', { timeout: 20_000 });
    expect(watch.requests.filter((u) => u.includes('/scenarios/')).map((u) => new URL(u).pathname)).toEqual(['/scenarios/bookinfo.yaml', '/scenarios/bookinfo/platform.yaml']);
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });
});
