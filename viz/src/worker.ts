/**
 * The simulation worker: the same sim/ code the CLI runs, fed from an in-memory file map.
 * One request at a time; the page serialises them.
 */
import { z } from 'zod';
import { formatDiagnostic, memoryFiles, parseScenarioText, runScenario, type FileSource } from '../../sim/index.ts';
import type { RunReply, RunRequest } from './protocol.ts';
import { badgesOf } from './replay/badges.ts';
import { ProxyTableCollector } from './inspect/proxy-tables.ts';
import { ColumnarSink, transferables } from './replay/columnar.ts';
import { clientsOf, servicesOf, workloadsOf } from './scenario-info.ts';
import { handleLabCheck } from './labs/lab-worker.ts';
import { isLabCheckRequest } from './labs/lab-protocol.ts';

// The page's Content-Security-Policy has no 'unsafe-eval'. zod probes `new Function` to decide
// whether to compile validators; under a strict CSP that probe is reported as a violation even
// though zod catches it. Its interpreted path gives the same results.
z.config({ jitless: true });

interface WorkerScope {
  onmessage: ((ev: { data: RunRequest }) => void) | null;
  postMessage(message: RunReply, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (ev) => {
  // Lab checks (viz/src/labs/) share this worker; their replies carry the same id scheme.
  if (isLabCheckRequest(ev.data)) return scope.postMessage(handleLabCheck(ev.data) as unknown as RunReply);
  const reply = handle(ev.data);
  scope.postMessage(reply, reply.kind === 'done' && reply.outcome.trace ? transferables(reply.outcome.trace) : []);
};

function handle(req: RunRequest): RunReply {
  try {
    const t0 = performance.now();
    const missing: string[] = [];
    const base = memoryFiles(req.files);
    const files: FileSource = {
      read(path) {
        const r = base.read(path);
        if (!r.ok && r.reason === 'missing' && !missing.includes(path)) missing.push(path);
        return r;
      },
    };
    const overrides = { ...(req.seed === undefined ? {} : { seed: req.seed }), ...(req.apply ? { apply: req.apply } : {}) };
    const { scenario, diagnostics } = parseScenarioText(req.files[req.entry] ?? '', req.entry, files, overrides);
    if (req.discover && missing.length > 0) return { id: req.id, kind: 'missing', paths: missing };
    if (!scenario) return { id: req.id, kind: 'invalid', diagnostics: diagnostics.map(formatDiagnostic) };
    const t1 = performance.now();
    const columns = req.trace ? new ColumnarSink() : null;
    // Provenance events are left out of the trace hash, so asking for them never changes the run.
    const tables = columns ? new ProxyTableCollector() : null;
    const result = columns && tables ? runScenario(scenario, { sinks: [columns], detail: true, onProxyConfig: tables.add }) : runScenario(scenario);
    const t2 = performance.now();
    return {
      id: req.id,
      kind: 'done',
      outcome: {
        summary: result.summary,
        workloads: workloadsOf(scenario),
        services: servicesOf(scenario),
        clients: clientsOf(scenario),
        budgetMessage: result.budgetMessage,
        trace: columns ? columns.finish() : null,
        badges: badgesOf(scenario),
        ...(tables ? { proxyTables: tables.result() } : {}),
        parseMs: t1 - t0,
        runMs: t2 - t1,
      },
    };
  } catch (e) {
    return { id: req.id, kind: 'crash', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
  }
}
