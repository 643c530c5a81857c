/**
 * Collects each sidecar's compiled config versions as `proxy-config` tables during a run (in the
 * worker), sharing one table among sidecars that got the same config object (equal views).
 */
import { proxyTables, type ProxyConfig, type ProxyTables } from '../../../sim/index.ts';

export class ProxyTableCollector {
  private readonly tables: ProxyTables[] = [];
  private readonly indexOf = new Map<ProxyConfig, number>();
  private readonly byPodVersion: Record<string, number> = {};

  /** RunOptions.onProxyConfig. */
  readonly add = (proxy: { name: string }, version: number, config: ProxyConfig): void => {
    let i = this.indexOf.get(config);
    if (i === undefined) {
      i = this.tables.length;
      this.tables.push(proxyTables(config));
      this.indexOf.set(config, i);
    }
    this.byPodVersion[`${proxy.name}@${version}`] = i;
  };

  result(): { tables: ProxyTables[]; byPodVersion: Record<string, number> } {
    return { tables: this.tables, byPodVersion: this.byPodVersion };
  }
}

/** The tables of `pod` at config `version`, or null when the run did not record them. */
export function tablesAt(all: { tables: ProxyTables[]; byPodVersion: Record<string, number> } | undefined, pod: string, version: number | null): ProxyTables | null {
  if (!all || version === null) return null;
  const i = all.byPodVersion[`${pod}@${version}`];
  return i === undefined ? null : all.tables[i];
}
