/**
 * Replay benchmark in headless Chromium (issue 8 acceptance): Bookinfo at ~1,667 requests per
 * second for 60 s (~100k client requests, ~1.6M trace events with provenance) runs in the page's
 * worker; then
 *   - seek: 20 random cursor times, each timed from SEEK to the graph, dots, request list and
 *     cursors drawn (synchronous on the page) — median and max;
 *   - playback: frames per second over 5 s at 100× (requestAnimationFrame callbacks counted on
 *     the page), plus the slowest frame.
 * Prints the numbers and writes bench-results/viz-replay-<scale>x-<duration>s.json. Not a test: nothing is asserted.
 *
 *   npx tsx test/bench/viz-replay.ts [--rate-scale 66.7] [--duration 60] [--seeks 20] [--seconds 5] [--speed 100]
 *   (--rate-scale 400 --duration 10: the same 100k requests at 10k per simulated second)
 *
 * Playback wraps to 0 when the cursor reaches the end, so every counted frame is a playing one.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildViz, startStaticServer } from '../../sim/cli/serve-command.ts';
import type { ReplayView } from '../../viz/src/replay/replay-view.ts';
import { launchChromium, watchPage } from '../browser/chromium.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const argv = process.argv.slice(2);
const num = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const rateScale = num('--rate-scale', 66.7);
const seeks = num('--seeks', 20);
const seconds = num('--seconds', 5);
const speed = num('--speed', 100);
const durationS = num('--duration', 60);

/** What `window.meshsimReplay()` returns (the page's ReplayView), as far as the benchmark uses it. */
type ReplayHandle = Pick<ReplayView, 'snapshot' | 'seek' | 'play' | 'pause' | 'setSpeed'>;
type Win = { meshsimReplay: () => ReplayHandle | null };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'meshsim-viz-bench-'));
  const appDir = join(work, 'app');
  const scenarioDir = join(work, 'scenarios');
  mkdirSync(scenarioDir, { recursive: true });
  cpSync(join(repoRoot, 'scenarios', 'bookinfo'), join(scenarioDir, 'bookinfo'), { recursive: true });
  const text = readFileSync(join(repoRoot, 'scenarios', 'bookinfo.yaml'), 'utf8')
    .replace('rate: 20/s', `rate: ${Math.round(20 * rateScale)}/s`)
    .replace('rate: 5/s', `rate: ${Math.round(5 * rateScale)}/s`)
    .replace(/^(\s+)duration: 60s$/m, `$1duration: ${durationS}s`)
    .replace(/^(\s+)name: bookinfo$/m, '$1name: bookinfo-100k');
  writeFileSync(join(scenarioDir, 'bench.yaml'), text);

  process.stdout.write('building the app… ');
  await buildViz(appDir);
  const server = await startStaticServer({ appDir, scenarioDir, port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const watch = watchPage(page);
    // tsx keeps function names with an `__name` helper that page.evaluate bodies then lack.
    await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await page.goto(`${server.url}?scenario=bench.yaml`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.evaluate(() => ((document.getElementById('editor-panel') as HTMLDetailsElement).open = false));
    process.stdout.write('running ~100k requests in the worker… ');
    const t0 = performance.now();
    await page.click('#run');
    await page.waitForFunction(() => (globalThis as unknown as Win).meshsimReplay() !== null, undefined, { timeout: 15 * 60_000, polling: 500 });
    const runWallMs = performance.now() - t0;
    const status = await page.locator('#status').textContent();
    const snap = await page.evaluate(() => (globalThis as unknown as Win).meshsimReplay()!.snapshot());
    console.log(`done in ${(runWallMs / 1000).toFixed(1)} s\n${status}`);

    // Seeks: random times (seeded LCG so reruns probe the same cursor times).
    const seekMs = await page.evaluate(
      ({ n, endUs }) => {
        const r = (globalThis as unknown as Win).meshsimReplay()!;
        let x = 12345;
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          x = (x * 1103515245 + 12345) % 2147483648;
          const t = (x / 2147483648) * endUs;
          const a = performance.now();
          r.seek(t);
          out.push(performance.now() - a);
        }
        r.pause();
        return out;
      },
      { n: seeks, endUs: snap.endUs },
    );

    // Playback: count animation frames for `seconds` at `speed`.
    const play = await page.evaluate(
      async ({ secs, spd }) => {
        const r = (globalThis as unknown as Win).meshsimReplay()!;
        r.seek(0);
        r.setSpeed(spd);
        r.play();
        const frames: number[] = [];
        let maxDots = 0;
        let maxInFlight = 0;
        await new Promise<void>((done) => {
          const start = performance.now();
          const tick = (now: number) => {
            frames.push(now);
            const s = r.snapshot();
            if (s.state === 'paused') {
              r.seek(0);
              r.play();
            }
            maxDots = Math.max(maxDots, s.dots);
            maxInFlight = Math.max(maxInFlight, s.inFlight);
            if (now - start < secs * 1000) requestAnimationFrame(tick);
            else done();
          };
          requestAnimationFrame(tick);
        });
        r.pause();
        const gaps = frames.slice(1).map((t, i) => t - frames[i]);
        const spanMs = frames[frames.length - 1] - frames[0];
        const sorted = [...gaps].sort((a, b) => a - b);
        return { frames: frames.length, fps: ((frames.length - 1) * 1000) / spanMs, worstFrameMs: Math.max(...gaps), p95FrameMs: sorted[Math.floor(sorted.length * 0.95)], maxDots, maxInFlight };
      },
      { secs: seconds, spd: speed },
    );

    const result = {
      scenario: `bookinfo, rates × ${rateScale}, ${durationS} s`,
      clientRequests: snap.edgeRequests['wl:default/sleep>wl:default/productpage-v1'] ?? null,
      traceEvents: snap.events,
      keyframes: snap.keyframes,
      runWallMs: Math.round(runWallMs),
      replayBuildMs: Math.round(snap.buildMs),
      seek: { n: seekMs.length, medianMs: +median(seekMs).toFixed(2), maxMs: +Math.max(...seekMs).toFixed(2) },
      playback: { speed, seconds, fps: +play.fps.toFixed(1), worstFrameMs: +play.worstFrameMs.toFixed(1), p95FrameMs: +play.p95FrameMs.toFixed(1), frames: play.frames, maxDotsDrawn: play.maxDots, maxInFlight: play.maxInFlight },
      consoleErrors: watch.consoleErrors.length,
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(join(repoRoot, 'bench-results'), { recursive: true });
    writeFileSync(join(repoRoot, 'bench-results', `viz-replay-${rateScale}x-${durationS}s.json`), JSON.stringify(result, null, 2) + '\n');
  } finally {
    await browser.close();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
