/**
 * Helpers for the browser suite: Debian's Chromium through playwright-core (never a downloaded
 * browser), the app built into a temporary folder, and page watchers for console errors and
 * requests that leave the machine.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildViz, startStaticServer, type RunningServer } from '../../sim/cli/serve-command.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Screenshots and timings for a look by eye (gitignored). */
export const artifacts = join(repoRoot, 'test-artifacts');

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Browser tests run whenever Chromium is installed, and always in CI (where a missing browser is a
 * failure, not a skip). Elsewhere without Chromium they are skipped with this message.
 */
export const browserSkipReason: string | null =
  existsSync(CHROMIUM_PATH) || process.env.CI ? null : `browser tests skipped: ${CHROMIUM_PATH} is missing (apt-get install -y chromium); CI always runs them`;

/** The flags this machine needs: no GPU, no background traffic to Google, no QUIC. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh, empty profile folder that is removed on close. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: install Debian's chromium package (.ci/run does)`);
  const profile = mkdtempSync(join(tmpdir(), 'meshsim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PageWatch {
  consoleErrors: string[];
  /** Requests to anything but loopback, file:, data: or blob: URLs. */
  foreignRequests: string[];
  requests: string[];
}

const LOCAL_URL = /^(?:data:|blob:|file:|about:|https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?\/)/;

/** Records console errors, uncaught page errors and non-local requests (page and workers). */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { consoleErrors: [], foreignRequests: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') watch.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => watch.consoleErrors.push(`uncaught: ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => {
    if (m.type() === 'error') watch.consoleErrors.push(`worker: ${m.text()}`);
  }));
  page.on('request', (r) => {
    watch.requests.push(r.url());
    if (!LOCAL_URL.test(r.url())) watch.foreignRequests.push(r.url());
  });
  return watch;
}

/** Top-level scenario files (scenarios/*.yaml with `kind: Scenario`), as repository paths, sorted. */
export function scenarioFiles(repoRoot: string): string[] {
  return readdirSync(join(repoRoot, 'scenarios'))
    .filter((f) => /\.ya?ml$/.test(f))
    .filter((f) => /^kind:\s*Scenario\s*$/m.test(readFileSync(join(repoRoot, 'scenarios', f), 'utf8')))
    .map((f) => `scenarios/${f}`)
    .sort();
}

/** The built app served from 127.0.0.1 (with scenarios/ under /scenarios/) and a Chromium to open it. */
export interface Sandbox {
  readonly appDir: string;
  readonly server: RunningServer;
  readonly browser: Browser;
}

/**
 * Registers beforeAll/afterAll for one test file: builds the app into a temporary folder, serves
 * it, launches Chromium; everything is closed and removed after the file's tests.
 */
export function useSandbox(name: string): Sandbox {
  const sb = { appDir: '', server: null as unknown as RunningServer, browser: null as unknown as Browser };
  beforeAll(async () => {
    sb.appDir = mkdtempSync(join(tmpdir(), `meshsim-viz-${name}-`));
    await buildViz(sb.appDir);
    sb.server = await startStaticServer({ appDir: sb.appDir, scenarioDir: join(repoRoot, 'scenarios'), port: 0 });
    sb.browser = await launchChromium();
    mkdirSync(artifacts, { recursive: true });
  }, 300_000);
  afterAll(async () => {
    await sb.browser?.close();
    await sb.server?.close();
    if (sb.appDir) rmSync(sb.appDir, { recursive: true, force: true });
  });
  return sb;
}
