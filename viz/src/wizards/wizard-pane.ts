/**
 * The wizard forms (weighted routing, request matching, fault injection, timeouts/retries). Each
 * writes its YAML into the editor as a new tab; the learner reads it and presses Run.
 */
import { h } from '../dom.ts';
import type { RunOutcome } from '../protocol.ts';
import { dirnameOf, joinPath } from '../edit/scenario-files.ts';
import type { Workbench } from '../edit/workbench.ts';
import { evenWeights, generateWizardYaml, rebalanceWeights, type HeaderMatchKind, type HeaderRoute, type WizardInput, type WizardService } from './generate.ts';

type Kind = WizardInput['kind'];

const LABELS: [Kind, string][] = [
  ['weighted', 'Weighted routing'],
  ['matching', 'Request matching'],
  ['fault', 'Fault injection'],
  ['timeouts', 'Timeouts & retries'],
];

/** Services of the last run with the version labels of the workloads behind them (app label = service name, like Kiali). */
export function wizardServices(o: RunOutcome): WizardService[] {
  return o.services
    .map((s) => ({
      namespace: s.namespace,
      name: s.name,
      versions: [...new Set(o.workloads.filter((w) => w.namespace === s.namespace && w.app === s.name && w.version !== null).map((w) => w.version!))].sort(),
    }))
    .sort((a, b) => (a.namespace + '/' + a.name < b.namespace + '/' + b.name ? -1 : 1));
}

function num(input: HTMLInputElement): number {
  return input.value.trim() === '' ? NaN : Number(input.value);
}

function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'wizard-field' }, h('span', {}, label), control);
}

function input(attrs: Record<string, string>): HTMLInputElement {
  return h('input', attrs);
}

function versionSelect(s: WizardService, allowNone: string | null, value: string | null): HTMLSelectElement {
  const sel = h('select', {});
  if (allowNone !== null) sel.append(h('option', { value: '' }, allowNone));
  for (const v of s.versions) sel.append(h('option', { value: v }, v));
  sel.value = value ?? '';
  return sel;
}

export class WizardPane {
  readonly element: HTMLElement;
  private readonly form: HTMLElement;
  private kind: Kind | null = null;

  constructor(private readonly workbench: Workbench) {
    const buttons = LABELS.map(([k, label]) => {
      const b = h('button', { type: 'button', 'data-wizard': k }, label);
      b.addEventListener('click', () => this.open(this.kind === k ? null : k));
      return b;
    });
    this.form = h('div', { class: 'wizard-form', 'data-testid': 'wizard-form', hidden: '' });
    this.element = h('div', { class: 'wizards' }, h('span', { class: 'toolbar-label' }, 'Wizards:'), ...buttons);
  }

  /** The form element (placed by the caller under the toolbar). */
  get formElement(): HTMLElement {
    return this.form;
  }

  open(kind: Kind | null): void {
    this.kind = kind;
    for (const b of this.element.querySelectorAll('button[data-wizard]')) b.setAttribute('aria-pressed', String(b.getAttribute('data-wizard') === kind));
    if (kind === null) {
      this.form.hidden = true;
      this.form.replaceChildren();
      return;
    }
    this.form.hidden = false;
    const outcome = this.workbench.lastOutcome();
    if (!outcome) {
      this.form.replaceChildren(h('p', {}, 'Run the scenario once first: the wizard offers the services and versions that run saw.'));
      return;
    }
    const services = wizardServices(outcome).filter((s) => kind === 'fault' || kind === 'timeouts' || s.versions.length > 0);
    if (services.length === 0) {
      this.form.replaceChildren(h('p', {}, 'The last run has no service with versioned workloads to route between.'));
      return;
    }
    const serviceSel = h('select', { 'data-testid': 'wizard-service' }, ...services.map((s, i) => h('option', { value: String(i) }, `${s.namespace}/${s.name}`)));
    const preferred = services.findIndex((s) => s.name === 'reviews');
    serviceSel.value = String(preferred >= 0 ? preferred : 0);
    const body = h('div', { class: 'wizard-body' });
    const errors = h('ul', { class: 'wizard-errors', 'data-testid': 'wizard-errors' });
    let read: () => WizardInput = () => {
      throw new Error('no form');
    };
    const render = () => {
      const s = services[Number(serviceSel.value)]!;
      read = this.renderBody(kind, s, body);
      errors.replaceChildren();
    };
    serviceSel.addEventListener('change', render);
    const write = h('button', { type: 'button', class: 'primary', 'data-testid': 'wizard-write' }, 'Write YAML into the editor');
    write.addEventListener('click', () => {
      const r = generateWizardYaml(read());
      if (!r.ok) {
        errors.replaceChildren(...r.errors.map((e) => h('li', {}, e)));
        return;
      }
      errors.replaceChildren();
      this.workbench.addFile(joinPath(dirnameOf(this.workbench.entry()), r.file.name), r.file.text, 'wizard');
    });
    render();
    this.form.replaceChildren(h('h3', {}, LABELS.find(([k]) => k === kind)![1]), field('Service', serviceSel), body, errors, h('div', { class: 'wizard-actions' }, write, h('span', { class: 'muted' }, ' The file is layered over the scenario at t=0 on the next Run; close its tab to drop it.')));
  }

  /** Fills the form body for one service; returns a reader of the form's current values. */
  private renderBody(kind: Kind, s: WizardService, body: HTMLElement): () => WizardInput {
    switch (kind) {
      case 'weighted': {
        let weights = evenWeights(s.versions);
        const rows = new Map<string, { range: HTMLInputElement; number: HTMLInputElement }>();
        const sync = () => {
          for (const [v, r] of rows) {
            r.range.value = String(weights[v]);
            r.number.value = String(weights[v]);
          }
        };
        body.replaceChildren(
          ...s.versions.map((v) => {
            const range = input({ type: 'range', min: '0', max: '100', step: '1', 'data-version': v, 'aria-label': `weight of ${v}` });
            const number = input({ type: 'number', min: '0', max: '100', step: '1', 'data-version-number': v, 'aria-label': `weight of ${v} (number)`, class: 'narrow' });
            const move = (x: number) => {
              weights = rebalanceWeights(weights, s.versions, v, x);
              sync();
            };
            range.addEventListener('input', () => move(Number(range.value)));
            number.addEventListener('change', () => move(Number(number.value)));
            rows.set(v, { range, number });
            return h('div', { class: 'wizard-row' }, h('span', { class: 'wizard-version' }, v), range, number, '%');
          }),
          h('p', { class: 'muted' }, 'Moving one slider shares the rest among the others, so the weights always add up to 100.'),
        );
        sync();
        return () => ({ kind, service: s, weights: { ...weights } });
      }
      case 'matching': {
        const list = h('div', {});
        const rows: { header: HTMLInputElement; kind: HTMLSelectElement; value: HTMLInputElement; version: HTMLSelectElement }[] = [];
        const addRow = (header: string, value: string, version: string) => {
          const r = {
            header: input({ type: 'text', value: header, 'aria-label': 'header name', class: 'mid' }),
            kind: h('select', { 'aria-label': 'match kind' }, ...(['exact', 'prefix', 'regex'] as const).map((k) => h('option', { value: k }, k))),
            value: input({ type: 'text', value, 'aria-label': 'header value', class: 'mid' }),
            version: versionSelect(s, null, version),
          };
          rows.push(r);
          list.append(h('div', { class: 'wizard-row' }, 'header ', r.header, r.kind, r.value, ' → ', r.version));
        };
        addRow('end-user', 'jason', s.versions[1] ?? s.versions[0]!);
        const add = h('button', { type: 'button' }, '+ match');
        add.addEventListener('click', () => addRow('', '', s.versions[0]!));
        const fallback = versionSelect(s, '(no subset: all versions)', s.versions[0] ?? null);
        body.replaceChildren(list, add, field('Other requests go to', fallback));
        return () => ({
          kind,
          service: s,
          routes: rows.map((r): HeaderRoute => ({ header: r.header.value.trim(), kind: r.kind.value as HeaderMatchKind, value: r.value.value, version: r.version.value })),
          fallbackVersion: fallback.value || null,
        });
      }
      case 'fault': {
        const version = versionSelect(s, '(no subset: all versions)', null);
        const delayOn = input({ type: 'checkbox', checked: '' });
        const delayPct = input({ type: 'number', value: '100', min: '0', max: '100', class: 'narrow', 'aria-label': 'delay percent' });
        const delayMs = input({ type: 'number', value: '2000', min: '1', class: 'mid', 'aria-label': 'fixed delay ms' });
        const abortOn = input({ type: 'checkbox' });
        const abortPct = input({ type: 'number', value: '100', min: '0', max: '100', class: 'narrow', 'aria-label': 'abort percent' });
        const abortStatus = input({ type: 'number', value: '500', min: '200', max: '599', class: 'narrow', 'aria-label': 'abort HTTP status' });
        body.replaceChildren(
          field('Route to', version),
          h('div', { class: 'wizard-row' }, h('label', {}, delayOn, ' delay'), delayPct, '% of requests by', delayMs, 'ms'),
          h('div', { class: 'wizard-row' }, h('label', {}, abortOn, ' abort'), abortPct, '% of requests with HTTP', abortStatus),
        );
        return () => ({
          kind,
          service: s,
          version: version.value || null,
          delay: delayOn.checked ? { percent: num(delayPct), fixedDelayMs: num(delayMs) } : null,
          abort: abortOn.checked ? { percent: num(abortPct), httpStatus: num(abortStatus) } : null,
        });
      }
      case 'timeouts': {
        const version = versionSelect(s, '(no subset: all versions)', null);
        const timeout = input({ type: 'number', value: '500', min: '1', class: 'mid', placeholder: 'none', 'aria-label': 'timeout ms' });
        const retriesOn = input({ type: 'checkbox' });
        const attempts = input({ type: 'number', value: '3', min: '0', max: '100', class: 'narrow', 'aria-label': 'retry attempts' });
        const perTry = input({ type: 'number', value: '', min: '1', class: 'mid', placeholder: 'none', 'aria-label': 'per-try timeout ms' });
        const retryOn = input({ type: 'text', value: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', class: 'wide', 'aria-label': 'retry on' });
        body.replaceChildren(
          field('Route to', version),
          field('Timeout (ms, empty = none)', timeout),
          h('div', { class: 'wizard-row' }, h('label', {}, retriesOn, ' retries'), attempts, 'attempts, per try', perTry, 'ms, on', retryOn),
        );
        return () => ({
          kind,
          service: s,
          version: version.value || null,
          timeoutMs: timeout.value.trim() === '' ? null : num(timeout),
          retries: retriesOn.checked ? { attempts: num(attempts), perTryTimeoutMs: perTry.value.trim() === '' ? null : num(perTry), retryOn: retryOn.value.trim() } : null,
        });
      }
    }
  }
}
