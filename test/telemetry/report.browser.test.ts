/**
 * The HTML report (`run --report`) in Debian's Chromium: it opens from file:// with no console
 * errors and no network requests at all, and draws the service graph and the time charts.
 * Screenshots go to test-artifacts/ for people to look at.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium, type Browser } from '../browser/chromium.ts';
import { runMeshsim } from './helpers.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = join(repoRoot, 'test-artifacts');

describe.skipIf(browserSkipReason !== null)('HTML report in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let reportPath: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshsim-report-'));
    reportPath = join(dir, 'traffic-shifting.html');
    const r = runMeshsim(['run', 'scenarios/traffic-shifting.yaml', '--report', reportPath]);
    expect(r.status, r.stderr).toBe(0);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('report(traffic-shifting): opens offline with no console errors and no requests, graph and charts drawn', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
    page.on('request', (r) => {
      if (r.url() !== pathToFileURL(reportPath).href) requests.push(r.url());
    });
    await page.goto(pathToFileURL(reportPath).href);
    await page.waitForSelector('svg.graph g.node');
    await page.waitForSelector('[data-testid="chart-split"] rect');
    const labels = await page.$$eval('svg.graph g.node', (els) => els.map((e) => e.getAttribute('data-node')));
    expect(labels.sort()).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'sleep']);
    expect(await page.$$eval('svg.graph line.edge', (els) => els.length)).toBeGreaterThanOrEqual(5);
    const latencyPaths = await page.$$eval('[data-testid="chart-latency"] path.series', (els) => els.filter((e) => (e.getAttribute('d') ?? '').length > 20).length);
    expect(latencyPaths).toBe(3);
    expect(await page.$$eval('[data-testid="chart-codes"] rect', (els) => els.length)).toBeGreaterThan(10);
    expect(await page.$$eval('[data-testid="chart-latency"] line.marker', (els) => els.length)).toBe(2);
    const verdicts = await page.$$eval('[data-testid="verdicts"] li', (els) => els.map((e) => e.className));
    expect(verdicts).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(await page.textContent('[data-testid="header"] code')).toContain('npx meshsim run scenarios/traffic-shifting.yaml --seed 1');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.screenshot({ path: join(ARTIFACTS, 'report-traffic-shifting.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('report(flags fixture): UT, UO and FI stacked in the flags chart; failing edges drawn red', async () => {
    const path = join(dir, 'flags.html');
    const r = runMeshsim(['run', 'test/telemetry/fixtures/flags.yaml', '--report', path]);
    expect(r.status, r.stderr).toBe(0);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector('[data-testid="chart-flags"] rect');
    const legend = await page.$$eval('[data-testid="chart-flags"] + ul li, [data-testid="chart-flags"] ul li', (els) => els.map((e) => e.textContent));
    expect(legend).toEqual(expect.arrayContaining(['FI', 'UO', 'UT']));
    expect(await page.$$eval('svg.graph line.edge.health-failure', (els) => els.length)).toBeGreaterThanOrEqual(3);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report-flags.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('report: names from the scenario are text, never markup; the CSP allows no network', () => {
    const html = readFileSync(reportPath, 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
    expect(html).not.toMatch(/connect-src|https?:\/\/(?!www\.w3\.org)/);
    // Everything between the data block's tags is JSON; no "<" survives unescaped.
    const data = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(data.includes('<')).toBe(false);
    expect(JSON.parse(data).header.scenario).toBe('traffic-shifting');
  });
});
