/**
 * What one expectation remembers about the requests in its scope (for one time bucket): counts by
 * code, flags and split key, retries, and a latency histogram when the check needs one. Memory is
 * bounded by distinct codes, flags and keys, never by the number of requests.
 */
import { LatencyHistogram } from '../metrics/histogram.ts';

export interface TallyNeeds {
  /** Keep a latency histogram (latency checks only: it is the one costly part). */
  latency: boolean;
}

export class Tally {
  n = 0;
  /** Upstream attempts with attempt > 1. */
  retries = 0;
  readonly codes = new Map<number, number>();
  /** Raw flag strings ("-", "UO", "UF,URX") → count; split into single flags when judged. */
  readonly flags = new Map<string, number>();
  /** Split key (version or workload) → count; also the destinations `neverReaches` watches. */
  readonly byKey = new Map<string, number>();
  /** First start time (µs) per key, for "first reached at". */
  readonly firstUs = new Map<string, number>();
  readonly latency: LatencyHistogram | null;

  constructor(needs: TallyNeeds) {
    this.latency = needs.latency ? new LatencyHistogram() : null;
  }

  record(code: number, flags: string, latencyUs: number, attempt: number): void {
    this.n++;
    if (attempt > 1) this.retries++;
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    this.flags.set(flags, (this.flags.get(flags) ?? 0) + 1);
    if (this.latency) this.latency.record(latencyUs);
  }

  recordKey(key: string, atUs: number): void {
    this.byKey.set(key, (this.byKey.get(key) ?? 0) + 1);
    const first = this.firstUs.get(key);
    if (first === undefined || atUs < first) this.firstUs.set(key, atUs);
  }

  /** Requests whose status code is `code` or whose flags include `code` (e.g. "UO"). */
  countOf(code: string): number {
    const asNumber = /^\d+$/.test(code) ? Number(code) : NaN;
    if (!Number.isNaN(asNumber)) return this.codes.get(asNumber) ?? 0;
    let n = 0;
    for (const [flags, count] of this.flags) if (flags === code || flags.split(',').includes(code)) n += count;
    return n;
  }

  /** 5xx answers (Flagger's failures). */
  fiveXx(): number {
    let n = 0;
    for (const [code, count] of this.codes) if (code >= 500 && code <= 599) n += count;
    return n;
  }

  /** No answer at all (reset, timeout before any response): code 0, like curl's 000. */
  noAnswer(): number {
    return this.codes.get(0) ?? 0;
  }

  /** Single flags with counts, sorted, "-" left out. */
  flagCounts(): Record<string, number> {
    const m = new Map<string, number>();
    for (const [flags, count] of this.flags) {
      if (flags === '-') continue;
      for (const f of flags.split(',')) m.set(f, (m.get(f) ?? 0) + count);
    }
    return sortedRecord(m);
  }

  codeCounts(): Record<string, number> {
    const m = new Map<string, number>();
    for (const [code, count] of this.codes) m.set(String(code), count);
    return sortedRecord(m);
  }
}

function sortedRecord(m: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  const keys = [...m.keys()].sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  for (const k of keys) out[k] = m.get(k)!;
  return out;
}
