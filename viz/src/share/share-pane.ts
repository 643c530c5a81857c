/**
 * Share buttons: export the current files (and the last run's summary) as a bundle file, import
 * one, and make a link that carries the scenario in its fragment. Opening such a link loads the
 * scenario into the editor; the learner presses Run.
 */
import { h } from '../dom.ts';
import type { Workbench } from '../edit/workbench.ts';
import { BUNDLE_FORMAT, BUNDLE_VERSION, bundleJson, bundleSummary, decodeFragment, encodeFragment, readBundle, type RunBundle } from './bundle.ts';

export interface ShareDeps {
  workbench: Workbench;
  seedInput: HTMLInputElement;
  bundledFiles: Readonly<Record<string, string>>;
  setStatus(text: string, kind: 'idle' | 'busy' | 'ok' | 'error'): void;
}

export class SharePane {
  readonly element: HTMLElement;
  /** The last share link made, shown so it can be copied by hand (the clipboard needs a permission). */
  private readonly linkBox: HTMLInputElement;

  constructor(private readonly deps: ShareDeps) {
    const exportButton = h('button', { type: 'button', 'data-testid': 'export-bundle' }, 'Export bundle');
    const importInput = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'import-bundle' });
    const linkButton = h('button', { type: 'button', 'data-testid': 'share-link' }, 'Share link');
    this.linkBox = h('input', { type: 'text', readonly: '', class: 'share-link', 'aria-label': 'Share link', 'data-testid': 'share-link-text', hidden: '' });
    exportButton.addEventListener('click', () => this.exportBundle());
    linkButton.addEventListener('click', () => void this.makeLink());
    importInput.addEventListener('change', async () => {
      const f = importInput.files?.[0];
      importInput.value = '';
      if (f) this.load(readBundle(await f.text(), f.name.replace(/[^\w .-]/g, '_')), `bundle ${f.name}`);
    });
    this.element = h('div', { class: 'share' }, h('span', { class: 'toolbar-label' }, 'Share:'), exportButton, h('label', { class: 'file-button' }, 'Import bundle… ', importInput), linkButton, this.linkBox);
  }

  /** The current files as a bundle; `withSummary` adds the last run's edges and hash. */
  current(withSummary: boolean): RunBundle {
    const snap = this.deps.workbench.snapshot();
    const seedText = this.deps.seedInput.value.trim();
    const last = this.deps.workbench.lastOutcome();
    const b: RunBundle = { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, entry: snap.entry, files: snap.files, apply: snap.apply, ...(/^\d+$/.test(seedText) ? { seed: Number(seedText) } : {}) };
    if (withSummary && last) b.summary = bundleSummary(last.summary);
    return b;
  }

  private exportBundle(): void {
    const b = this.current(true);
    const url = URL.createObjectURL(new Blob([bundleJson(b)], { type: 'application/json' }));
    const a = h('a', { href: url, download: `${b.entry.replace(/^.*\//, '').replace(/\.ya?ml$/, '')}.meshsim.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.deps.setStatus(`Exported ${Object.keys(b.files).length} file(s) as a bundle.`, 'ok');
  }

  private async makeLink(): Promise<void> {
    const r = await encodeFragment(this.current(false));
    if (!r.ok) {
      this.linkBox.hidden = true;
      this.deps.setStatus(r.error, 'error');
      return;
    }
    const url = `${location.href.replace(/#.*$/, '')}${r.fragment}`;
    history.replaceState(null, '', r.fragment);
    this.linkBox.value = url;
    this.linkBox.hidden = false;
    this.linkBox.select();
    this.deps.setStatus(`Share link made (${r.fragment.length} characters); it is in the address bar and the box next to the button.`, 'ok');
  }

  /** Opens the bundle in `location.hash`, if any. Returns whether one was loaded. */
  async loadFromFragment(): Promise<boolean> {
    const r = await decodeFragment(location.hash);
    if (r === null) return false;
    return this.load(r, 'the shared link');
  }

  private load(r: ReturnType<typeof readBundle>, what: string): boolean {
    if (!r.ok) {
      this.deps.setStatus(`Cannot open ${what}: ${r.error}`, 'error');
      return false;
    }
    const b = r.bundle;
    const applied = new Set(b.apply);
    const order = [b.entry, ...Object.keys(b.files).filter((p) => p !== b.entry && !applied.has(p)).sort(), ...b.apply];
    this.deps.workbench.openCustom({
      entry: b.entry,
      label: `${b.entry} (shared)`,
      tabs: order.map((p) => ({ path: p, text: b.files[p]!, role: p === b.entry ? 'scenario' : applied.has(p) ? 'applied' : 'manifest', readOnly: false, closable: false })),
      baseFiles: { ...this.deps.bundledFiles },
      apply: b.apply,
    });
    this.deps.seedInput.value = b.seed === undefined ? '' : String(b.seed);
    const sent = b.summary ? ` The sender's run had trace hash ${b.summary.traceHash}.` : '';
    this.deps.setStatus(`Opened ${what}: ${b.entry} with ${Object.keys(b.files).length} file(s). Press Run.${sent}`, 'idle');
    return true;
  }
}
