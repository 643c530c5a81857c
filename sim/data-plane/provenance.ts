/**
 * Turns one client request's trace events into its "why" chain, for `meshsim run --explain REQ`
 * and the browser replay (istio-semantics.md §9.1 order: route match → fault → weighted pick →
 * endpoint → attempts, retries and timeouts). Needs a trace recorded with the data plane's
 * `detail` flag for the decision lines; without it only attempts and the final answer show.
 */
import { formatDuration } from '../domain/time.ts';
import type { TraceEvent } from '../trace/events.ts';

const at = (us: number): string => `${(us / 1000).toFixed(3)}ms`;

export function explainRequest(events: readonly TraceEvent[], req: number): string[] {
  const lines: string[] = [];
  for (const ev of events) {
    if (!('req' in ev) || ev.req !== req) continue;
    const t = `[${at(ev.timeUs).padStart(12)}]`;
    switch (ev.kind) {
      case 'client.start':
        lines.push(`${t} request ${req} from client ${ev.client}${ev.pod ? ` (pod ${ev.pod})` : ''}`);
        break;
      case 'route.match': {
        const where = `${ev.proxy} → ${ev.host}:${ev.port} (stream ${ev.stream})`;
        if (ev.outcome === 'unknown-host' || ev.outcome === 'no-listener') lines.push(`${t} ${where}: ${ev.detail}`);
        else if (ev.virtualService === null && ev.rule < 0 && ev.outcome !== 'no-route') lines.push(`${t} ${where}: ${ev.detail}`);
        else if (ev.outcome === 'no-route') lines.push(`${t} ${where}: VirtualService ${ev.virtualService} has no matching rule → 404 NR`);
        else lines.push(`${t} ${where}: VirtualService ${ev.virtualService} rule ${ev.rule}${ev.match >= 0 ? ` match ${ev.match}` : ''} (${ev.detail}) → ${ev.outcome}`);
        break;
      }
      case 'route.pick':
        lines.push(`${t}   weighted pick: draw ${ev.draw} of ${ev.totalWeight} → destination ${ev.index} (weight ${ev.weight}) ${ev.cluster}`);
        break;
      case 'fault':
        lines.push(
          ev.fault === 'delay'
            ? `${t}   fault: delay ${formatDuration(ev.delayUs)} injected (${ev.ppm / 10000}% of requests) — flag DI`
            : `${t}   fault: abort ${ev.status} injected (${ev.ppm / 10000}% of requests) — flag FI, upstream not contacted`,
        );
        break;
      case 'lb.pick':
        lines.push(
          `${t}   attempt ${ev.attempt}: ${ev.lb} over ${ev.healthy} healthy endpoint${ev.healthy === 1 ? '' : 's'} of ${ev.cluster}${ev.hashKey ? ` (hash key "${ev.hashKey}")` : ''} → ${ev.endpoint ?? 'none: 503 UH'}`,
        );
        break;
      case 'timeout':
        lines.push(`${t}   ${ev.timeout === 'route' ? 'route timeout' : 'per-try timeout'} ${formatDuration(ev.timeoutUs)} fired during attempt ${ev.attempt} → 504 UT`);
        break;
      case 'retry':
        lines.push(`${t}   attempt ${ev.attempt} ended ${ev.code} ${ev.flags}: retried on ${ev.reason} after ${formatDuration(ev.backoffUs)} back-off`);
        break;
      case 'mirror':
        lines.push(`${t}   mirrored as stream ${ev.shadowStream} to ${ev.cluster} (host ${ev.host}, response discarded)`);
        break;
      case 'upstream':
        lines.push(
          `${t}   ${ev.source} → ${ev.service}: attempt ${ev.attempt} ${ev.destPod ? `at ${ev.destPod}` : 'answered by the proxy'} ended ${ev.code} ${ev.flags} (${ev.cluster}${ev.route ? `, rule ${ev.route}` : ''})`,
        );
        break;
      case 'client.end':
        lines.push(`${t} request ${req} answered ${ev.code} ${ev.flags} after ${formatDuration(ev.latencyUs)}`);
        break;
    }
  }
  return lines;
}
