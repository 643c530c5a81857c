/**
 * `proxyConfig`: every proxy in scope runs at least config version N by a time T. Reads
 * `config.push` events; remembers, per proxy, when each version arrived — bounded by proxies ×
 * configuration changes, never by requests.
 */
import type { ExpectationCheck } from '../config/types.ts';
import type { ConfigPushEvent } from '../trace/events.ts';
import { secondsText } from './format.ts';
import type { Judgement } from './judge.ts';

type ProxyConfigCheck = Extract<ExpectationCheck, { kind: 'proxyConfig' }>;

/** Pods are named `<deployment>-<replica>` by the registry; a workload scope keeps its own pods. */
function podOf(workload: string): RegExp {
  return new RegExp(`^${workload.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`);
}

const LISTED = 5;

export class ProxyConfigFold {
  /** proxy → version → first time it was pushed. */
  private readonly arrivals = new Map<string, Map<number, number>>();
  private maxVersion = 0;
  private readonly pods: RegExp | null;

  constructor(
    private readonly check: ProxyConfigCheck,
    workload: string | undefined,
  ) {
    this.pods = workload === undefined ? null : podOf(workload);
  }

  observe(ev: ConfigPushEvent): void {
    if (ev.version > this.maxVersion) this.maxVersion = ev.version;
    if (this.pods && !this.pods.test(ev.proxy)) return;
    let m = this.arrivals.get(ev.proxy);
    if (!m) this.arrivals.set(ev.proxy, (m = new Map()));
    if (!m.has(ev.version)) m.set(ev.version, ev.timeUs);
  }

  judge(): Judgement {
    const { byUs } = this.check;
    const proxies = [...this.arrivals.keys()].sort();
    if (proxies.length === 0) return { passed: false, detail: 'no proxy in scope received any configuration', observed: { proxies: 0 } };
    const target = this.check.version === 'latest' ? this.maxVersion : this.check.version;
    const label = this.check.version === 'latest' ? `the latest version (${target})` : `version ${target}`;
    if (target > this.maxVersion) {
      return { passed: false, detail: `${label} was never pushed: the run pushed versions 1–${this.maxVersion} (1 at start, one more per timeline change)`, observed: { proxies: proxies.length, latest: this.maxVersion } };
    }
    const late: string[] = [];
    let lastUs = 0;
    for (const p of proxies) {
      let reachedUs = Infinity;
      let atBy = 0;
      for (const [v, t] of this.arrivals.get(p)!) {
        if (v >= target && t < reachedUs) reachedUs = t;
        if (t <= byUs && v > atBy) atBy = v;
      }
      if (reachedUs <= byUs) {
        if (reachedUs > lastUs) lastUs = reachedUs;
      } else {
        late.push(`${p} (version ${atBy} at ${secondsText(byUs)}${reachedUs === Infinity ? ', never reached it' : `, reached it at ${secondsText(reachedUs)}`})`);
      }
    }
    if (late.length === 0) {
      return { passed: true, detail: `all ${proxies.length} proxies ran ${label} by ${secondsText(byUs)} (the last got it at ${secondsText(lastUs)})`, observed: { proxies: proxies.length, late: 0, lastUs } };
    }
    const more = late.length > LISTED ? `, and ${late.length - LISTED} more` : '';
    return {
      passed: false,
      detail: `${late.length} of ${proxies.length} proxies did not run ${label} by ${secondsText(byUs)}: ${late.slice(0, LISTED).join(', ')}${more}`,
      observed: { proxies: proxies.length, late: late.length },
    };
  }
}
