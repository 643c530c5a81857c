/**
 * How configuration changes reach the sidecars (istio-semantics.md §6.1): istiod debounces changes
 * (100 ms after the last one, at most 10 s after the first: sim/machines/istiod-debounce.ts, run
 * on the engine's clock), compiles one new version, and sends it to every proxy; each proxy applies
 * it after its own delay drawn from the named stream `istiod/push` (default uniform 50–500 ms,
 * **unconfirmed** numbers, §6.1). Until then a proxy keeps routing with the version it has, so for a
 * moment different sidecars route differently, and a VirtualService that names a subset whose
 * DestinationRule has not reached the proxy gives 503 NC.
 *
 * Proxy status like `istioctl proxy-status`: when a version is sent a `proxy.status` STALE event
 * is emitted per proxy (sent, not yet acknowledged); when the proxy applies it, SYNCED. A proxy
 * that still has a delivery pending when a newer version is sent gets only the newer one (istiod
 * sends the latest state).
 */
import type { Engine, ScheduledEvent } from '../engine/engine.ts';
import type { Rng } from '../engine/rng.ts';
import type { Trace } from '../trace/sink.ts';
import { EngineMachine } from '../machines/engine-actor.ts';
import { debounceMachine } from '../machines/istiod-debounce.ts';

export interface PropagationSettings {
  /** PILOT_DEBOUNCE_AFTER (µs). */
  debounceUs: number;
  /** PILOT_DEBOUNCE_MAX (µs). */
  debounceMaxUs: number;
  /** Per-proxy apply delay, uniform in [minUs, maxUs]. */
  pushDelayMinUs: number;
  pushDelayMaxUs: number;
}

export const DEFAULT_PROPAGATION: PropagationSettings = {
  debounceUs: 100_000,
  debounceMaxUs: 10_000_000,
  pushDelayMinUs: 50_000,
  pushDelayMaxUs: 500_000,
};

/** One proxy's share of a push: the version compiled for it and how to install it. */
export interface ProxyDelivery {
  proxy: string;
  /** Unique proxy identity ("ns/pod"); pod names repeat across namespaces. Defaults to `proxy`. */
  key?: string;
  version: number;
  install: () => void;
}

export class ConfigPropagation {
  private readonly engine: Engine;
  private readonly trace: Trace;
  private readonly rng: Rng;
  private readonly settings: PropagationSettings;
  private readonly flush: () => ProxyDelivery[];
  private readonly debounce: EngineMachine<typeof debounceMachine>;
  private readonly pending = new Map<string, ScheduledEvent>();

  /** `flush` compiles the new version and returns the deliveries, in a stable proxy order. */
  constructor(engine: Engine, trace: Trace, rng: Rng, settings: PropagationSettings, flush: () => ProxyDelivery[]) {
    this.engine = engine;
    this.trace = trace;
    this.rng = rng.fork('istiod/push');
    this.settings = settings;
    this.flush = flush;
    this.debounce = new EngineMachine(engine, debounceMachine, { quietUs: settings.debounceUs, maxUs: settings.debounceMaxUs }, (_p, _n, actions) => {
      for (const a of actions) if (a.type === 'push') this.push();
    });
  }

  /** A watched resource changed (config or endpoints). */
  change(): void {
    this.debounce.send({ type: 'CHANGE' });
  }

  private push(): void {
    const s = this.settings;
    const span = Math.max(0, s.pushDelayMaxUs - s.pushDelayMinUs);
    for (const d of this.flush()) {
      const delay = s.pushDelayMinUs + (span > 0 ? this.rng.int(span + 1) : 0);
      const old = this.pending.get(d.key ?? d.proxy);
      if (old) this.engine.cancel(old);
      this.trace.emit({ kind: 'proxy.status', timeUs: this.engine.nowUs, proxy: d.proxy, version: d.version, status: 'STALE' });
      this.pending.set(d.key ?? d.proxy, this.engine.after(delay, this.deliver, d));
    }
  }

  private deliver = (d: ProxyDelivery): void => {
    this.pending.delete(d.key ?? d.proxy);
    d.install();
    this.trace.emit({ kind: 'proxy.status', timeUs: this.engine.nowUs, proxy: d.proxy, version: d.version, status: 'SYNCED' });
  };
}
