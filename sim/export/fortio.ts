/**
 * fortio result JSON (what `fortio load -json` writes and `fortio report` reads) for traffic
 * clients, as a streaming fold: fortio's own histogram buckets at its default resolution
 * (1 ms), so memory is fixed per client. Times are simulated; StartTime is the Unix epoch plus
 * the client's first request, in RFC 3339 like fortio.
 */
import type { TraceEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';
import { isoTimeFromUs } from './access-log.ts';

/** fortio's histogram bucket upper bounds, in units of the resolution (1 ms here). */
const FORTIO_BUCKETS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100, 120, 140, 160, 180, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 2000, 3000, 4000, 5000, 7500, 10000, 20000, 30000, 40000, 50000, 60000, 70000, 80000, 90000, 100000];
const RESOLUTION_S = 0.001;
export const FORTIO_PERCENTILES = [50, 75, 90, 99, 99.9];

export interface FortioClientSpec {
  name: string;
  url: string;
  /** Closed-loop workers (fortio -c); 0 for open-loop clients. */
  connections: number;
  /** Target rate; 0 = as fast as possible ("max"). */
  qps: number;
  durationUs: number;
}

export interface FortioResult {
  RunType: 'HTTP';
  Labels: string;
  StartTime: string;
  RequestedQPS: string;
  RequestedDuration: string;
  ActualQPS: number;
  ActualDuration: number;
  NumThreads: number;
  Version: string;
  DurationHistogram: {
    Count: number;
    Min: number;
    Max: number;
    Sum: number;
    Avg: number;
    StdDev: number;
    Data: { Start: number; End: number; Percent: number; Count: number }[];
    Percentiles: { Percentile: number; Value: number }[];
  };
  Exactly: number;
  RetCodes: Record<string, number>;
  URL: string;
  SocketCount: number;
  AbortOn: number;
}

class ClientAcc {
  counts = new Array<number>(FORTIO_BUCKETS.length + 1).fill(0);
  count = 0;
  sum = 0;
  sumSq = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  firstUs = -1;
  lastUs = 0;
  codes = new Map<number, number>();
}

function bucketOf(seconds: number): number {
  const units = seconds / RESOLUTION_S;
  for (let i = 0; i < FORTIO_BUCKETS.length; i++) if (units < FORTIO_BUCKETS[i]) return i;
  return FORTIO_BUCKETS.length;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export class FortioFold implements TraceSink {
  private readonly acc = new Map<string, ClientAcc>();

  constructor(
    private readonly specs: readonly FortioClientSpec[],
    private readonly version: string,
  ) {
    for (const s of specs) this.acc.set(s.name, new ClientAcc());
  }

  write(ev: TraceEvent): void {
    if (ev.kind === 'client.start') {
      const a = this.acc.get(ev.client);
      if (a && a.firstUs < 0) a.firstUs = ev.timeUs;
    } else if (ev.kind === 'client.end') {
      const a = this.acc.get(ev.client);
      if (!a) return;
      const s = ev.latencyUs / 1e6;
      a.counts[bucketOf(s)]++;
      a.count++;
      a.sum += s;
      a.sumSq += s * s;
      a.min = Math.min(a.min, s);
      a.max = Math.max(a.max, s);
      a.lastUs = Math.max(a.lastUs, ev.timeUs);
      a.codes.set(ev.code, (a.codes.get(ev.code) ?? 0) + 1);
    }
  }

  results(): FortioResult[] {
    return this.specs.map((spec) => this.result(spec, this.acc.get(spec.name)!));
  }

  private result(spec: FortioClientSpec, a: ClientAcc): FortioResult {
    const data: FortioResult['DurationHistogram']['Data'] = [];
    let seen = 0;
    for (let i = 0; i < a.counts.length; i++) {
      if (a.counts[i] === 0) continue;
      seen += a.counts[i];
      // Like fortio: the first and last populated buckets are narrowed to the observed min/max.
      const start = Math.max(i === 0 ? 0 : FORTIO_BUCKETS[i - 1] * RESOLUTION_S, a.min);
      const end = Math.min(i < FORTIO_BUCKETS.length ? FORTIO_BUCKETS[i] * RESOLUTION_S : a.max, a.max);
      data.push({ Start: round6(start), End: round6(end), Percent: round6((100 * seen) / a.count), Count: a.counts[i] });
    }
    const percentile = (p: number): number => {
      const rank = (p / 100) * a.count;
      let below = 0;
      for (const d of data) {
        if (below + d.Count >= rank) return round6(d.Start + ((d.End - d.Start) * (rank - below)) / d.Count);
        below += d.Count;
      }
      return round6(a.max);
    };
    const avg = a.count > 0 ? a.sum / a.count : 0;
    const durationUs = a.firstUs >= 0 ? a.lastUs - a.firstUs : 0;
    const retCodes: Record<string, number> = {};
    for (const code of [...a.codes.keys()].sort((x, y) => x - y)) retCodes[String(code === 0 ? -1 : code)] = a.codes.get(code)!;
    return {
      RunType: 'HTTP',
      Labels: `meshsim ${spec.name}`,
      StartTime: isoTimeFromUs(Math.max(0, a.firstUs)),
      RequestedQPS: spec.qps > 0 ? String(spec.qps) : 'max',
      RequestedDuration: `${spec.durationUs / 1e6}s`,
      ActualQPS: durationUs > 0 ? round6(a.count / (durationUs / 1e6)) : 0,
      ActualDuration: durationUs * 1000,
      NumThreads: spec.connections,
      Version: this.version,
      DurationHistogram: {
        Count: a.count,
        Min: a.count > 0 ? round6(a.min) : 0,
        Max: round6(a.max),
        Sum: round6(a.sum),
        Avg: round6(avg),
        StdDev: a.count > 0 ? round6(Math.sqrt(Math.max(0, a.sumSq / a.count - avg * avg))) : 0,
        Data: data,
        Percentiles: a.count > 0 ? FORTIO_PERCENTILES.map((p) => ({ Percentile: p, Value: percentile(p) })) : [],
      },
      Exactly: 0,
      RetCodes: retCodes,
      URL: spec.url,
      SocketCount: spec.connections,
      AbortOn: 0,
    };
  }
}
