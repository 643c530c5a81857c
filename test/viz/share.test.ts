/**
 * Run bundles and share-link fragments (viz/src/share/bundle.ts) in Node: round trips give the
 * same files and the same trace hash; hostile or broken input is refused with a message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryFiles, parseScenarioText, runScenario } from '../../sim/index.ts';
import { bundleJson, bundleSummary, decodeFragment, encodeFragment, MAX_FRAGMENT_CHARS, readBundle, toBase64Url, type RunBundle } from '../../viz/src/share/bundle.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(join(repoRoot, p), 'utf8');

function bookinfoBundle(): RunBundle {
  return { format: 'meshsim-bundle', version: 1, entry: 'scenarios/bookinfo.yaml', files: { 'scenarios/bookinfo.yaml': read('scenarios/bookinfo.yaml'), 'scenarios/bookinfo/platform.yaml': read('scenarios/bookinfo/platform.yaml'), 'scenarios/bookinfo/virtual-service-reviews-50-v3.yaml': read('scenarios/bookinfo/virtual-service-reviews-50-v3.yaml'), 'scenarios/bookinfo/destination-rule-all.yaml': read('scenarios/bookinfo/destination-rule-all.yaml') }, apply: ['scenarios/bookinfo/destination-rule-all.yaml', 'scenarios/bookinfo/virtual-service-reviews-50-v3.yaml'], seed: 11 };
}

function hashOf(b: RunBundle): string {
  const { scenario } = parseScenarioText(b.files[b.entry]!, b.entry, memoryFiles(b.files), { seed: b.seed, apply: b.apply, durationUs: 5_000_000 });
  return runScenario(scenario!).summary.traceHash;
}

describe('run bundle file', () => {
  it('export → import gives the same bundle and the same trace hash, bytes stable', () => {
    const b = bookinfoBundle();
    const { scenario } = parseScenarioText(b.files[b.entry]!, b.entry, memoryFiles(b.files), { seed: b.seed, apply: b.apply, durationUs: 5_000_000 });
    const summary = runScenario(scenario!).summary;
    const withSummary: RunBundle = { ...b, summary: bundleSummary(summary) };
    const text = bundleJson(withSummary);
    expect(bundleJson(withSummary)).toBe(text);
    const back = readBundle(text);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.bundle.files).toEqual(b.files);
    expect(back.bundle.apply).toEqual(b.apply);
    expect(back.bundle.seed).toBe(11);
    expect(back.bundle.summary?.traceHash).toBe(summary.traceHash);
    expect(hashOf(back.bundle)).toBe(summary.traceHash);
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['another format version', JSON.stringify({ format: 'meshsim-bundle', version: 2 }), /format version 2; this page reads version 1/],
    ['a path leaving the folder', JSON.stringify({ format: 'meshsim-bundle', version: 1, entry: '../etc/x.yaml', files: { '../etc/x.yaml': 'a: 1' } }), /entry: must be a relative/],
    ['an absolute path', JSON.stringify({ format: 'meshsim-bundle', version: 1, entry: 'a.yaml', files: { 'a.yaml': '', '/etc/passwd.yaml': '' } }), /files\.\/etc\/passwd\.yaml: must be a relative/],
    ['entry missing from files', JSON.stringify({ format: 'meshsim-bundle', version: 1, entry: 'a.yaml', files: { 'b.yaml': '' } }), /entry: names a\.yaml, which is not in files/],
    ['an unknown key (code smuggled in)', JSON.stringify({ format: 'meshsim-bundle', version: 1, entry: 'a.yaml', files: { 'a.yaml': '' }, onload: 'alert(1)' }), /not a meshsim run bundle/],
    ['a script as a file', JSON.stringify({ format: 'meshsim-bundle', version: 1, entry: 'a.yaml', files: { 'a.yaml': '', 'x.js': 'alert(1)' } }), /files\.x\.js: must be a relative \.yaml/],
  ])('import refuses %s with a message', (_what, text, message) => {
    const r = readBundle(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});

describe('share link fragment', () => {
  it('#bundle= round trip: same files, same trace hash; the summary stays out of the link', async () => {
    const b = { ...bookinfoBundle(), summary: { scenario: 'bookinfo', seed: 11, traceHash: 'x', events: 1, edges: [] } };
    const enc = await encodeFragment(b);
    expect(enc.ok).toBe(true);
    if (!enc.ok) return;
    expect(enc.fragment).toMatch(/^#bundle=[A-Za-z0-9_-]+$/);
    expect(enc.fragment.length).toBeLessThan(MAX_FRAGMENT_CHARS);
    const back = await decodeFragment(enc.fragment);
    expect(back?.ok).toBe(true);
    if (!back?.ok) return;
    expect(back.bundle.files).toEqual(b.files);
    expect(back.bundle.summary).toBeUndefined();
    expect(hashOf(back.bundle)).toBe(hashOf(b));
  });

  it('a scenario too big for a link is refused with a message that points at Export bundle', async () => {
    // Text that does not compress: a pseudo-random letter stream (xorshift32, no Math.random).
    let x = 2463534242;
    let noise = '';
    for (let i = 0; i < 40_000; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      noise += String.fromCharCode(97 + ((x >>> 0) % 26));
    }
    const b: RunBundle = { format: 'meshsim-bundle', version: 1, entry: 'big.yaml', files: { 'big.yaml': `# ${noise}\n` }, apply: [] };
    const enc = await encodeFragment(b);
    expect(enc.ok).toBe(false);
    if (!enc.ok) expect(enc.error).toMatch(/more than a share link carries \(16 kB\)\. Use Export bundle/);
  });

  it('broken links give messages, not exceptions; other fragments are not bundles', async () => {
    expect(await decodeFragment('#graph')).toBeNull();
    expect(await decodeFragment('#bundle=***')).toEqual({ ok: false, error: "the link's bundle is not base64url text (was the link cut or changed?)" });
    expect(await decodeFragment('#bundle=AAAA')).toEqual({ ok: false, error: "the link's bundle does not inflate (was the link cut or changed?)" });
    const enc = await encodeFragment(bookinfoBundle());
    if (!enc.ok) throw new Error(enc.error);
    const cut = await decodeFragment(enc.fragment.slice(0, enc.fragment.length - 40));
    expect(cut?.ok).toBe(false);
    // Valid deflate of a JSON that is not a bundle.
    const bytes = new Uint8Array(await new Response(new Blob([new TextEncoder().encode('{"format":"x"}')]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
    const other = await decodeFragment(`#bundle=${toBase64Url(bytes)}`);
    expect(other?.ok).toBe(false);
    if (other && !other.ok) expect(other.error).toMatch(/^the link's bundle is not a meshsim run bundle: format: /);
  });

  it('an inflate bomb is stopped at 2 MB', async () => {
    const zeros = new Uint8Array(5_000_000).fill(32);
    const bytes = new Uint8Array(await new Response(new Blob([zeros]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
    const packed = toBase64Url(bytes);
    expect(packed.length).toBeLessThan(MAX_FRAGMENT_CHARS);
    expect(await decodeFragment(`#bundle=${packed}`)).toEqual({ ok: false, error: "the link's bundle inflates to more than 2 MB" });
  });
});
