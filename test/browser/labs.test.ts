/**
 * The labs pane in Chromium: lab 04 opened from the bundle, Check on the start files fails with
 * the lab's hint, the step's solution passes and moves progress to step 2, and progress survives
 * a reload (localStorage). Screenshot in test-artifacts/labs.png.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { checkStep, memoryFiles, parseLab } from '../../sim/index.ts';
import { artifacts, browserSkipReason, repoRoot, useSandbox, watchPage } from './chromium.ts';

if (browserSkipReason) console.warn(browserSkipReason);

describe.skipIf(browserSkipReason !== null)('browser labs pane', () => {
  const sb = useSandbox('labs');

  let checks = 0;
  async function check(page: Page): Promise<string> {
    await page.click('[data-testid="lab-check"]');
    await page.waitForSelector(`body[data-lab-checks="${++checks}"]`, { timeout: 60_000 });
    return (await page.locator('[data-testid="lab-verdict"]').textContent()) ?? '';
  }

  it('lab 04: start files fail step 1 with the hint, the solution passes and progress moves on and persists', async () => {
    const lab = parseLab(readFileSync(join(repoRoot, 'labs/04-traffic-shifting/lab.yaml'), 'utf8'), 'labs/04-traffic-shifting/lab.yaml').lab!;
    const splitHint = lab.steps[0]!.hints.find((h) => h.when && 'failed' in h.when)!.text.trim();

    const page = await sb.browser.context.newPage();
    const watch = watchPage(page);
    await page.goto(sb.server.url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#labs-panel > summary');
    const options = await page.locator('[data-testid="lab-select"] option').allTextContents();
    const index = options.findIndex((o) => o.startsWith('04-traffic-shifting'));
    expect(index).toBeGreaterThanOrEqual(0);
    await page.selectOption('[data-testid="lab-select"]', String(index));
    expect(await page.locator('[data-testid="lab-progress"]').textContent()).toBe('Progress: step 1 of 3');
    // README rendered as text: its headings, no markup from the file.
    expect(await page.locator('[data-testid="lab-readme"] h3').first().textContent()).toBe('Lab 04 — Traffic shifting: a canary at 10%, 50%, 100%');
    expect(await page.locator('[data-testid="lab-step"] h4').textContent()).toBe(`Step 1: ${lab.steps[0]!.title}`);

    await page.click('[data-testid="lab-open"]');
    expect(await page.locator('[data-testid="editor-tabs"] button[role="tab"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).toEqual([
      'workspace/04-traffic-shifting/virtual-service-reviews.yaml',
      'labs/04-traffic-shifting/scenario.yaml',
    ]);

    // Start files: everything on v1, the split check fails and the lab's own hint is shown.
    expect(await check(page)).toBe(`FAIL — step 1: ${lab.steps[0]!.title}`);
    // The hint's `code` spans are rendered as <code>, so its text is the hint without backticks.
    expect(await page.locator('[data-testid="lab-hints"] p').allTextContents()).toEqual([splitHint.replace(/`/g, '')]);
    expect(await page.locator('[data-testid="lab-hints"] p code').first().textContent()).toBe('route');
    expect(await page.locator('[data-testid="lab-progress"]').textContent()).toBe('Progress: step 1 of 3');
    await page.screenshot({ path: join(artifacts, 'labs-fail.png'), fullPage: true });

    // Run works on the lab's files too (the scenario with the learner's file layered).
    await page.click('#run');
    await page.waitForSelector('body[data-runs="1"]', { timeout: 60_000 });
    expect(await page.locator('#status').textContent()).toMatch(/^Ran /);

    // The step's solution passes and moves the learner to step 2.
    await page.click('[data-testid="lab-solution"]');
    expect(await page.locator('[data-testid="code-editor"] .cm-content').textContent()).toContain('weight: 90');
    expect(await check(page)).toBe(`PASS — step 1: ${lab.steps[0]!.title}`);
    expect(await page.locator('[data-testid="lab-progress"]').textContent()).toBe('Progress: step 2 of 3');
    expect(await page.locator('[data-testid="lab-step"] h4').textContent()).toBe(`Step 2: ${lab.steps[1]!.title}`);
    await page.screenshot({ path: join(artifacts, 'labs.png'), fullPage: true });

    // A broken file: the check names the line, the editor marks it.
    await page.click('[data-testid="lab-open"]');
    await page.locator('[data-testid="code-editor"] .cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('\n  bogus: 1\n');
    expect(await check(page)).toMatch(/^FAIL — step 2: /);
    expect(await page.locator('[data-testid="lab-diagnostics"]').textContent()).toMatch(/^workspace\/04-traffic-shifting\/virtual-service-reviews\.yaml:\d+:\d+: error /);
    expect(await page.locator('[data-testid="editor-tabs"] [data-testid="tab-errors"]').count()).toBe(1);

    // Progress lives in localStorage: a reload keeps step 2.
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('meshsim.lab.progress.04-traffic-shifting')))!)).toEqual({ lab: '04-traffic-shifting', state: 'active', step: 2, steps: 3 });
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#labs-panel > summary');
    await page.selectOption('[data-testid="lab-select"]', String(index));
    expect(await page.locator('[data-testid="lab-progress"]').textContent()).toBe('Progress: step 2 of 3');
    // The learner's buffer survived the reload too.
    await page.click('[data-testid="lab-open"]');
    expect(await page.locator('[data-testid="code-editor"] .cm-content').textContent()).toContain('bogus: 1');
    // Reset: step 1 again, start files back.
    await page.click('[data-testid="lab-reset"]');
    expect(await page.locator('[data-testid="lab-progress"]').textContent()).toBe('Progress: step 1 of 3');
    expect(await page.locator('[data-testid="code-editor"] .cm-content').textContent()).not.toContain('bogus');
    expect(await page.locator('[data-testid="code-editor"] .cm-content').textContent()).not.toContain('weight');

    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  }, 180_000);

  it('every bundled lab: Check of the last step with its solution gives the same verdicts in the page worker as checkStep in Node', async () => {
    const files: Record<string, string> = {};
    for (const top of ['scenarios', 'labs']) {
      for (const f of readdirSync(join(repoRoot, top), { recursive: true }) as string[]) {
        if (/\.(ya?ml|md)$/.test(f)) files[`${top}/${f.split(sep).join('/')}`] = readFileSync(join(repoRoot, top, f), 'utf8');
      }
    }
    const labs = readdirSync(join(repoRoot, 'labs'))
      .filter((d) => files[`labs/${d}/lab.yaml`] !== undefined)
      .sort()
      .map((d) => ({ dir: `labs/${d}`, def: parseLab(files[`labs/${d}/lab.yaml`]!, `labs/${d}/lab.yaml`).lab }))
      .filter((l): l is { dir: string; def: NonNullable<typeof l.def> } => l.def !== null);
    expect(labs.length).toBeGreaterThanOrEqual(7);

    const page = await sb.browser.context.newPage();
    const watch = watchPage(page);
    await page.goto(sb.server.url);
    await page.waitForSelector('body[data-ready="true"]');
    // Every lab at its last step.
    await page.evaluate((records) => {
      for (const r of records) localStorage.setItem(`meshsim.lab.progress.${r.lab}`, JSON.stringify(r));
    }, labs.map((l) => ({ lab: l.def.name, state: 'active', step: l.def.steps.length, steps: l.def.steps.length })));
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#labs-panel > summary');
    const options = await page.locator('[data-testid="lab-select"] option').allTextContents();
    checks = 0;
    for (const lab of labs) {
      const k = lab.def.steps.length - 1;
      const ws = `workspace/${lab.def.name}`;
      const mine = { ...files };
      for (const f of lab.def.files) mine[`${ws}/${f}`] = files[`${lab.dir}/solution/step-${k + 1}/${f}`] ?? files[`${lab.dir}/solution/${f}`] ?? files[`${lab.dir}/start/${f}`] ?? '';
      const node = checkStep(lab.def, k, { labDir: lab.dir, workspace: ws }, memoryFiles(mine));

      const index = options.findIndex((o) => o.startsWith(`${lab.dir.slice(5)} — `));
      expect(index, lab.dir).toBeGreaterThanOrEqual(0);
      await page.selectOption('[data-testid="lab-select"]', String(index));
      await page.click('[data-testid="lab-solution"]');
      const verdict = await check(page);
      expect({ lab: lab.dir, verdict }).toEqual({ lab: lab.dir, verdict: `${node.passed ? 'PASS' : 'FAIL'} — step ${k + 1}: ${lab.def.steps[k]!.title}` });
      const lines = await page.locator('[data-testid="lab-result"] .lab-verdicts li').allTextContents();
      expect({ lab: lab.dir, lines }).toEqual({ lab: lab.dir, lines: node.verdicts.map((v) => `${v.passed ? 'PASS' : 'FAIL'} ${v.name}: ${v.detail}`) });
    }
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.foreignRequests).toEqual([]);
    await page.close();
  }, 300_000);
});
