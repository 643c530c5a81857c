/**
 * Run bundles: one JSON document carrying a scenario, the files it reads, the seed and
 * optionally the run's summary, so a learner can hand a run to someone else. Import is data
 * only: zod checks the shape, paths must be plain relative file paths, and nothing in a bundle
 * is ever executed or rendered as markup (the page renders names with text nodes).
 *
 * The same bundle (without its summary) travels in a URL fragment, `#bundle=` + base64url of the
 * deflated JSON, using the platform's CompressionStream (browsers and Node 20 alike). Fragments
 * never reach a server, so a shared link does not leak the scenario to a host.
 */
import { z } from 'zod';
import type { RunSummary } from '../../../sim/index.ts';

export const BUNDLE_FORMAT = 'meshsim-bundle';
export const BUNDLE_VERSION = 1;

/** Encoded `#bundle=` fragments longer than this are refused: chat tools and browsers truncate long links. */
export const MAX_FRAGMENT_CHARS = 16_000;
/** Bundle files (JSON) larger than this are refused on import. */
export const MAX_BUNDLE_BYTES = 2_000_000;
const MAX_FILES = 64;

/** "scenarios/bookinfo.yaml": relative, "/"-separated, ordinary name characters, no "..". */
const SAFE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*\/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(?:ya?ml|json)$/;

const PATH_RULE = 'must be a relative .yaml/.yml/.json path with ordinary file-name characters and no ".."';
const pathSchema = z
  .string()
  .max(200)
  .refine((p) => SAFE_PATH.test(p) && !p.split('/').includes('..'), { message: PATH_RULE });

const latencySchema = z.object({ mean: z.number(), p50: z.number(), p90: z.number(), p99: z.number(), max: z.number() }).partial().passthrough();

/** What of a summary a bundle keeps: enough to show "what the sender saw" next to a rerun. */
const summarySchema = z
  .object({
    scenario: z.string().max(200),
    seed: z.number().int().nonnegative(),
    traceHash: z.string().max(200),
    events: z.number().int().nonnegative(),
    edges: z
      .array(
        z
          .object({
            source: z.string().max(200),
            destination: z.string().max(200).nullable(),
            service: z.string().max(200),
            version: z.string().max(200).nullable(),
            requests: z.number().int().nonnegative(),
            codes: z.record(z.string().max(20), z.number().int().nonnegative()),
            flags: z.record(z.string().max(20), z.number().int().nonnegative()),
            latencyMs: latencySchema,
          })
          .passthrough(),
      )
      .max(10_000),
  })
  .passthrough();

export const bundleSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    version: z.literal(BUNDLE_VERSION),
    /** Path of the scenario file inside `files`. */
    entry: pathSchema,
    files: z.record(z.string().max(200), z.string().max(MAX_BUNDLE_BYTES)),
    /** Manifests layered at t=0 over the scenario (wizard output, the learner's extra files). */
    apply: z.array(pathSchema).max(MAX_FILES).default([]),
    seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    summary: summarySchema.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const names = Object.keys(b.files);
    if (names.length > MAX_FILES) ctx.addIssue({ code: 'custom', path: ['files'], message: `at most ${MAX_FILES} files` });
    for (const p of names) if (!pathSchema.safeParse(p).success) ctx.addIssue({ code: 'custom', path: ['files', p], message: PATH_RULE });
    if (!(b.entry in b.files)) ctx.addIssue({ code: 'custom', path: ['entry'], message: `names ${b.entry}, which is not in files` });
    for (const [i, p] of b.apply.entries()) if (!(p in b.files)) ctx.addIssue({ code: 'custom', path: ['apply', i], message: `names ${p}, which is not in files` });
  });

export type RunBundle = z.infer<typeof bundleSchema>;
export type BundleSummary = z.infer<typeof summarySchema>;

export type BundleRead = { ok: true; bundle: RunBundle } | { ok: false; error: string };

/** Keys in a fixed order and files sorted by path, so the same run always gives the same bytes. */
export function bundleJson(b: RunBundle): string {
  const files = Object.fromEntries(Object.keys(b.files).sort().map((k) => [k, b.files[k]!] as [string, string]));
  const ordered: Record<string, unknown> = { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, entry: b.entry, seed: b.seed, apply: b.apply, files };
  if (b.summary) ordered.summary = b.summary;
  return JSON.stringify(ordered, null, 2) + '\n';
}

function issueText(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(bundle)'}: ${i.message}`)
    .join('; ');
}

/** Parses and validates bundle JSON text. Never throws. */
export function readBundle(text: string, what = 'bundle'): BundleRead {
  if (text.length > MAX_BUNDLE_BYTES) return { ok: false, error: `${what} is ${Math.round(text.length / 1000)} kB; bundles are at most ${MAX_BUNDLE_BYTES / 1_000_000} MB` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${what} is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof raw === 'object' && raw !== null && (raw as { format?: unknown }).format === BUNDLE_FORMAT && (raw as { version?: unknown }).version !== BUNDLE_VERSION) {
    return { ok: false, error: `${what} has format version ${String((raw as { version?: unknown }).version)}; this page reads version ${BUNDLE_VERSION}` };
  }
  const parsed = bundleSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: `${what} is not a meshsim run bundle: ${issueText(parsed.error.issues)}` };
  return { ok: true, bundle: parsed.data };
}

/** Runs bytes through a (de)compression stream; null once the output passes `limit` (stops reading: no inflate bombs). */
async function pipeBytes(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit = Number.MAX_SAFE_INTEGER): Promise<Uint8Array | null> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

export type FragmentResult = { ok: true; fragment: string } | { ok: false; error: string };

/** `#bundle=…` for a bundle; the summary stays out (the receiver reruns). */
export async function encodeFragment(b: RunBundle): Promise<FragmentResult> {
  const { summary: _summary, ...rest } = b;
  const json = JSON.stringify({ ...rest, format: BUNDLE_FORMAT, version: BUNDLE_VERSION });
  const packed = toBase64Url((await pipeBytes(new TextEncoder().encode(json), new CompressionStream('deflate')))!);
  const fragment = `#bundle=${packed}`;
  if (fragment.length > MAX_FRAGMENT_CHARS) {
    return {
      ok: false,
      error: `This scenario and its files compress to ${Math.ceil(fragment.length / 1000)} kB, more than a share link carries (${MAX_FRAGMENT_CHARS / 1000} kB). Use Export bundle and send the file instead.`,
    };
  }
  return { ok: true, fragment };
}

/** Reads `#bundle=…` (with or without the "#"); null when the fragment carries no bundle. */
export async function decodeFragment(hash: string): Promise<BundleRead | null> {
  const m = /^#?bundle=(.*)$/s.exec(hash);
  if (!m) return null;
  const packed = m[1]!;
  if (packed.length > MAX_FRAGMENT_CHARS) return { ok: false, error: `the link's bundle is ${Math.ceil(packed.length / 1000)} kB; share links carry at most ${MAX_FRAGMENT_CHARS / 1000} kB` };
  const bytes = fromBase64Url(packed);
  if (!bytes) return { ok: false, error: 'the link\'s bundle is not base64url text (was the link cut or changed?)' };
  let json: string;
  try {
    const inflated = await pipeBytes(bytes, new DecompressionStream('deflate'), MAX_BUNDLE_BYTES);
    if (inflated === null) return { ok: false, error: 'the link\'s bundle inflates to more than 2 MB' };
    json = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
  } catch {
    return { ok: false, error: 'the link\'s bundle does not inflate (was the link cut or changed?)' };
  }
  return readBundle(json, 'the link\'s bundle');
}

/** The part of a run's summary a bundle keeps (edges and the hash; clients and verdicts are rerun). */
export function bundleSummary(s: Pick<RunSummary, 'scenario' | 'seed' | 'traceHash' | 'events' | 'edges'>): BundleSummary {
  return { scenario: s.scenario, seed: s.seed, traceHash: s.traceHash, events: s.events, edges: s.edges.map((e) => ({ source: e.source, destination: e.destination, service: e.service, version: e.version, requests: e.requests, codes: e.codes, flags: e.flags, latencyMs: { ...e.latencyMs } })) };
}
