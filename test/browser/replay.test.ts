/**
 * The replay in Debian's Chromium (issue 8, items 3–5): Bookinfo runs in the worker with its
 * trace, the player plays, pauses and seeks, the graph's edge counts follow the cursor (0 at the
 * start, the summary's at the end), a clicked request shows its provenance chain and a clicked
 * node its sidecar. Screenshots go to test-artifacts/ for a look by eye.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadScenario, MemorySink, runScenario, type RunSummary, type TraceEvent } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import type { ReplaySnapshot, ReplayView } from '../../viz/src/replay/replay-view.ts';
import { artifacts, browserSkipReason, repoRoot, useSandbox, watchPage } from './chromium.ts';

/** What `window.meshsimReplay()` returns (the page's ReplayView), as far as the test uses it. */
type ReplayHandle = Pick<ReplayView, 'snapshot' | 'seek' | 'play' | 'pause' | 'setSpeed' | 'dotPoint'>;

function snapshot(page: Page): Promise<ReplaySnapshot> {
  return page.evaluate(() => (globalThis as unknown as { meshsimReplay: () => ReplayHandle }).meshsimReplay().snapshot());
}

function seek(page: Page, tUs: number): Promise<void> {
  return page.evaluate((t) => (globalThis as unknown as { meshsimReplay: () => ReplayHandle }).meshsimReplay().seek(t), tUs);
}

if (browserSkipReason) console.warn(browserSkipReason);

describe.skipIf(browserSkipReason !== null)('replay in Chromium', () => {
  const sb = useSandbox('replay');
  let summary: RunSummary;
  beforeAll(() => {
    summary = runScenario(loadScenario('scenarios/bookinfo.yaml', nodeFiles({ cwd: repoRoot }))).summary;
  });

  it('Bookinfo: plays, pauses, seeks; edge counts follow the cursor; a request shows its chain; a node its sidecar', async () => {
    const page = await sb.browser.context.newPage();
    const watch = watchPage(page);
    await page.goto(sb.server.url);
    await page.waitForSelector('body[data-ready="true"]');
    // The YAML editor is not part of this test; fold it away so the graph is in view.
    await page.evaluate(() => ((document.getElementById('editor-panel') as HTMLDetailsElement).open = false));
    await page.click('#run');
    await page.waitForSelector('#status[data-kind="ok"]', { timeout: 30_000 });
    await page.waitForSelector('#replay-play');

    // Opens on the whole run: paused at the end, every edge's count equal to the summary's.
    const atEnd = await snapshot(page);
    expect(atEnd.state).toBe('paused');
    expect(atEnd.timeUs).toBe(atEnd.endUs);
    expect(atEnd.endUs).toBe(summary.simulatedMs * 1000);
    const summaryTotal = summary.edges.reduce((n, e) => n + e.requests, 0);
    expect(Object.values(atEnd.edgeRequests).reduce((n, r) => n + r, 0)).toBe(summaryTotal);
    const sleepToPage = 'wl:default/sleep>wl:default/productpage-v1';
    expect(atEnd.edgeRequests[sleepToPage]).toBe(summary.edges.find((e) => e.source === 'sleep')!.requests);
    expect(await page.locator(`svg.graph g.edge-label[data-edge="${sleepToPage}"]`).getAttribute('data-requests')).toBe(String(atEnd.edgeRequests[sleepToPage]));
    // Same nodes as the static graph, and the label shares of productpage's calls.
    const nodes = await page.locator('svg.graph g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
    expect([...nodes].sort()).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'sleep']);
    expect(await page.locator('svg.graph g.edge-label[data-edge="wl:default/productpage-v1>wl:default/details-v1"] text').textContent()).toMatch(/ · 50\.0%p99 /);

    // Seek to 0: nothing has happened yet.
    await seek(page, 0);
    const atZero = await snapshot(page);
    expect(atZero.timeUs).toBe(0);
    expect(Object.values(atZero.edgeRequests).reduce((n, r) => n + r, 0)).toBe(0);
    expect(await page.locator(`svg.graph g.edge-label[data-edge="${sleepToPage}"] text tspan`).first().textContent()).toMatch(/^0 req/);

    // Seek to the middle: counts in between, and the scrubber and time text agree.
    await seek(page, atEnd.endUs / 2);
    await page.waitForFunction(() => document.body.dataset.replayState === 'paused');
    const mid = await snapshot(page);
    const midTotal = Object.values(mid.edgeRequests).reduce((n, r) => n + r, 0);
    expect(midTotal).toBeGreaterThan(summaryTotal * 0.3);
    expect(midTotal).toBeLessThan(summaryTotal * 0.7);
    expect(Number(await page.locator('#replay-scrubber').inputValue())).toBe(5000);
    const secs = (us: number) => (us / 1_000_000).toFixed(3);
    expect(await page.locator('#replay-time').textContent()).toBe(`${secs(mid.timeUs)} s / ${secs(atEnd.endUs)} s`);

    // Play at 10× for a moment, pause: the cursor moved forward and counts grew with it.
    await page.selectOption('#replay-speed', '10');
    await page.click('#replay-play');
    await page.waitForFunction(() => document.body.dataset.replayState === 'playing');
    await page.waitForFunction((t0) => Number(document.body.dataset.replayTimeUs) > t0 + 1_000_000, mid.timeUs);
    // Requests in flight show as dots; at a given instant there may be none, so wait for a frame with some.
    await page.waitForFunction(() => (globalThis as unknown as { meshsimReplay: () => ReplayHandle }).meshsimReplay().snapshot().dots > 0);
    const playing = await snapshot(page);
    expect(playing.speed).toBe(10);
    await page.screenshot({ path: join(artifacts, 'replay-playing.png'), fullPage: true });
    await page.click('#replay-play');
    await page.waitForFunction(() => document.body.dataset.replayState === 'paused');
    const paused = await snapshot(page);
    expect(paused.timeUs).toBeGreaterThan(mid.timeUs);
    expect(Object.values(paused.edgeRequests).reduce((n, r) => n + r, 0)).toBeGreaterThanOrEqual(midTotal);
    await page.waitForTimeout(300);
    expect((await snapshot(page)).timeUs).toBe(paused.timeUs);

    // Rate labels over the trailing window.
    await page.selectOption('#replay-labels', 'rate');
    expect(await page.locator(`svg.graph g.edge-label[data-edge="${sleepToPage}"] text tspan`).first().textContent()).toMatch(/^\d+\.\d rps · 100\.0%$/);

    // The timeline lane and the three charts are drawn with a cursor each.
    for (const id of ['timeline-lane', 'chart-latency', 'chart-codes', 'chart-rps']) expect(await page.locator(`[data-testid="${id}"] line.time-cursor`).count()).toBe(1);

    // A request from the list: its chain names the route decision, the endpoint pick and the reply.
    await page.locator('[data-testid="request-list"] button').first().click();
    const chain = await page.locator('[data-testid="request-chain"] li').allTextContents();
    expect(chain.some((l) => /client \S+ sends request #\d+/.test(l))).toBe(true);
    expect(chain.some((l) => l.includes('route.match') && l.includes('productpage'))).toBe(true);
    expect(chain.some((l) => l.includes('lb.pick') && l.includes('LEAST_REQUEST'))).toBe(true);
    expect(chain.some((l) => /client \S+ gets HTTP 200/.test(l))).toBe(true);
    expect(await page.locator('[data-testid="waterfall"] g.span').count()).toBeGreaterThanOrEqual(3);
    await page.locator('.inspector').screenshot({ path: join(artifacts, 'replay-request-inspector.png') });

    // A dot on the canvas opens its request too (pick one while paused mid-run).
    await seek(page, atEnd.endUs / 3);
    const pt = await page.evaluate(() => (globalThis as unknown as { meshsimReplay: () => ReplayHandle }).meshsimReplay().dotPoint(0));
    if (pt) {
      await page.mouse.click(pt.x, pt.y);
      expect(await page.locator('#inspector').getAttribute('data-inspecting')).toMatch(/^request:\d+$/);
    }

    // A node: its sidecar's routes and clusters at the cursor.
    await page.locator('svg.graph g.node[data-node="productpage-v1"]').click();
    expect(await page.locator('#inspector').getAttribute('data-inspecting')).toBe('workload:productpage-v1');
    const clusters = await page.locator('[data-testid="proxy-clusters"] tbody tr td:first-child').allTextContents();
    expect(clusters.some((c) => c.includes('details'))).toBe(true);
    expect(clusters.some((c) => c.includes('reviews'))).toBe(true);
    expect(await page.locator('[data-testid="proxy-routes"] tbody tr').count()).toBeGreaterThan(0);
    // The full route table of the installed version, like `istioctl proxy-config routes`: Bookinfo
    // has no VirtualService, so reviews has its default route to every version.
    const routeRows = await page.locator('[data-testid="proxy-route-table"] tbody tr').allTextContents();
    expect(routeRows.some((r) => r.startsWith('9080reviews.default.svc.cluster.local:9080') && r.endsWith('/*reviews'))).toBe(true);
    const clusterRows = await page.locator('[data-testid="proxy-cluster-table"] tbody tr').allTextContents();
    expect(clusterRows.some((r) => r.includes('reviews.default.svc.cluster.local') && r.includes('reviews-v1-0, reviews-v2-0, reviews-v3-0'))).toBe(true);
    await page.screenshot({ path: join(artifacts, 'replay-proxy-inspector.png'), fullPage: true });

    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });

  it('outlier-ejection: circuit-breaker badges, ejections on the timeline lane, and the caller sidecar lists the ejected host while it is out', async () => {
    const memory = new MemorySink();
    runScenario(loadScenario('scenarios/outlier-ejection.yaml', nodeFiles({ cwd: repoRoot })), { sinks: [memory] });
    const eject = memory.events.find((e): e is Extract<TraceEvent, { kind: 'outlier.eject' }> => e.kind === 'outlier.eject')!;
    const back = memory.events.find((e) => e.kind === 'outlier.uneject' && e.timeUs > eject.timeUs && e.host === eject.host)!;

    const page = await sb.browser.context.newPage();
    const watch = watchPage(page);
    await page.goto(sb.server.url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.evaluate(() => ((document.getElementById('editor-panel') as HTMLDetailsElement).open = false));
    await page.selectOption('#scenario', 'scenarios/outlier-ejection.yaml');
    await page.click('#run');
    await page.waitForSelector('#replay-play', { timeout: 30_000 });
    await page.waitForFunction(() => document.body.dataset.replayState === 'paused');

    expect(await page.locator('svg.graph g.badge[data-badge="circuit-breaker"]').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-testid="timeline-lane"] rect.marker.row-outlier').count()).toBeGreaterThanOrEqual(2);

    // Between the first ejection and the host's return, the caller's sidecar shows it ejected …
    await seek(page, (eject.timeUs + back.timeUs) / 2);
    await page.locator('svg.graph g.node[data-node="sleep"]').click();
    const out = await page.locator('[data-testid="proxy-outliers"] tbody tr').allTextContents();
    expect(out.some((row) => row.includes(eject.host))).toBe(true);
    await page.screenshot({ path: join(artifacts, 'replay-outlier-ejected.png'), fullPage: true });
    // … and before the ejection it does not (the open inspector follows the cursor).
    await seek(page, eject.timeUs - 1);
    await page.waitForFunction(() => document.querySelector('[data-testid="proxy-outliers"]')?.tagName === 'P');

    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  });
});
