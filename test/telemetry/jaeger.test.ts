/**
 * `--jaeger`: Jaeger UI JSON compared field by field with real Jaeger answers
 * (test/fixtures/jaeger/SOURCES.md: a trace from a real Istio mesh, and the Jaeger query
 * service's own serialization), and the span tree Istio's Envoy tracing produces: per hop the
 * caller sidecar's client span, the callee sidecar's server span under it, the callee app's own
 * calls under that; Envoy retries as sibling client spans.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, MemorySink, runScenario, type RunResult, type TraceEvent } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { JaegerSink, UNCLAIMED_HORIZON_US, type JaegerSpan, type JaegerTrace } from '../../sim/export/jaeger.ts';
import { inventoryOf } from '../../sim/export/inventory.ts';
import { repoRoot } from './helpers.ts';

interface JaegerDoc {
  data: JaegerTrace[];
  total?: number;
}

/** The Jaeger answer's shape: fields, JSON types and Istio's sidecar span tags (test/fixtures/jaeger/SOURCES.md). */
interface ReferenceShape {
  envelope: Record<string, string>;
  trace: Record<string, string>;
  span: Record<string, string>;
  spanOptional: string[];
  reference: Record<string, string>;
  process: Record<string, string>;
  keyValue: Record<string, string>;
  keyValueValueByType: Record<string, string>;
  processTags: [string, string][];
  sidecarSpanTags: [string, string][];
}
const SHAPE = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/jaeger/reference-shape.json'), 'utf8')) as ReferenceShape;

/** Tags of real Istio spans meshsim does not model (bodies, user agents) or that Jaeger's Zipkin ingestion adds. */
const NOT_MODELLED_TAGS = new Set(['user_agent', 'request_size', 'response_size', 'internal.span.format']);

/** Every field of `shape` is present in `value` with that JSON type, and `value` has no field outside it (but `optional`). */
function expectShape(value: unknown, shape: Record<string, string>, what: string, optional: readonly string[] = []): void {
  const v = value as Record<string, unknown>;
  for (const [k, type] of Object.entries(shape)) expect(jsonType(v[k]), `${what}.${k}`).toBe(type);
  for (const k of Object.keys(v)) expect(k in shape || optional.includes(k), `${what} field ${k} is not in Jaeger's model`).toBe(true);
}

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function exportRun(path: string, durationUs?: number): { doc: JaegerDoc; events: TraceEvent[]; result: RunResult } {
  const s = loadScenario(path, nodeFiles({ cwd: repoRoot }), durationUs ? { durationUs } : {});
  const inv = inventoryOf(s);
  const chunks: string[] = [];
  const sink = new JaegerSink((l) => chunks.push(l), { pods: inv.pods, targetPorts: inv.targetPorts, requestOf: (src, svc) => inv.requests.get(`${src}|${svc}`) ?? null });
  const mem = new MemorySink();
  const result = runScenario(s, { sinks: [sink, mem] });
  sink.finish();
  return { doc: JSON.parse(chunks.join('\n')) as JaegerDoc, events: mem.events, result };
}

const tag = (s: JaegerSpan, key: string) => s.tags.find((t) => t.key === key)?.value;
const kind = (s: JaegerSpan) => tag(s, 'span.kind');
const parentId = (s: JaegerSpan) => s.references[0]?.spanID;

describe('Jaeger JSON has the shape of real Jaeger answers', () => {
  const { doc } = exportRun('scenarios/bookinfo.yaml', 2_000_000);
  const trace = doc.data.find((t) => t.spans.some((s) => s.operationName.startsWith('ratings.')))!;
  const client = trace.spans.find((s) => kind(s) === 'client' && tag(s, 'component') === 'proxy')!;
  const server = trace.spans.find((s) => kind(s) === 'server')!;

  it("the document envelope has the query service's fields and types", () => {
    expectShape(doc, SHAPE.envelope, 'answer');
    expect(doc.total).toBe(doc.data.length);
  });

  it("traces, spans, references, processes and tags have Jaeger's fields with the same JSON types", () => {
    for (const t of doc.data.slice(0, 50)) {
      expectShape(t, SHAPE.trace, 'trace');
      for (const s of t.spans) {
        expectShape(s, SHAPE.span, 'span', SHAPE.spanOptional);
        for (const r of s.references) expectShape(r, SHAPE.reference, 'reference');
        for (const kv of s.tags) {
          // model.go KeyValue: {key, type, value}; the value's JSON type follows `type`.
          const { value, ...rest } = kv;
          expectShape(rest, SHAPE.keyValue, `tag ${kv.key}`);
          expect(jsonType(value), `tag ${kv.key} (${kv.type})`).toBe(SHAPE.keyValueValueByType[kv.type]);
        }
      }
      for (const p of Object.values(t.processes)) expectShape(p, SHAPE.process, 'process');
      // A sidecar's process carries its pod IP like Istio's; the traffic client's root process is meshsim's own.
      for (const s of t.spans.filter((x) => kind(x) === 'server')) expect(t.processes[s.processID].tags.map((x) => [x.key, x.type])).toEqual(SHAPE.processTags);
    }
    expect(client.references[0].refType).toBe('CHILD_OF');
    expect(server.references[0].refType).toBe('CHILD_OF');
  });

  it('client and server spans carry every tag the real Istio sidecar spans carry (same key, same type), bodies and user agent aside', () => {
    for (const ours of [client, server]) {
      const have = new Map(ours.tags.map((t) => [t.key, t.type]));
      for (const [key, type] of SHAPE.sidecarSpanTags) {
        if (NOT_MODELLED_TAGS.has(key)) continue;
        expect(have.get(key), `${kind(ours)} span tag ${key}`).toBe(type);
      }
    }
  });

  it('tag values follow Istio\'s formats: clusters, node ids, status codes as strings, one request id per trace', () => {
    expect(tag(client, 'upstream_cluster')).toMatch(/^outbound\|\d+\|[^|]*\|[a-z0-9-]+\.[a-z0-9-]+\.svc\.cluster\.local$/);
    expect(tag(server, 'upstream_cluster')).toMatch(/^inbound\|\d+\|\|$/);
    for (const s of [client, server]) {
      expect(tag(s, 'node_id')).toMatch(/^sidecar~\d+\.\d+\.\d+\.\d+~[a-z0-9-]+\.[a-z0-9-]+~[a-z0-9-]+\.svc\.cluster\.local$/);
      expect(tag(s, 'http.status_code')).toMatch(/^\d+$/);
      expect(tag(s, 'component')).toBe('proxy');
      expect(s.operationName).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+\.svc\.cluster\.local:\d+\/\*$/);
      expect(tag(s, 'guid:x-request-id')).toBe(tag(trace.spans.find((x) => tag(x, 'component') === 'proxy')!, 'guid:x-request-id'));
    }
    // Bookinfo's services listen on 9080 and so do their containers: inbound|9080||.
    expect(tag(server, 'upstream_cluster')).toBe('inbound|9080||');
    // A server span's process is the destination workload, named like Istio's: "<app>.<namespace>".
    expect(trace.processes[server.processID].serviceName).toBe(`${tag(server, 'istio.canonical_service')}.${tag(server, 'istio.namespace')}`);
  });
});

describe('Jaeger span tree: client → server per hop', () => {
  const { doc, events, result } = exportRun('scenarios/bookinfo.yaml', 2_000_000);

  it('every span id is unique in its trace and every reference names a span of the trace', () => {
    expect(doc.data.length).toBe(events.filter((e) => e.kind === 'client.end').length);
    expect(doc.data.length).toBe(result.summary.clients.reduce((n, c) => n + c.requests, 0));
    for (const t of doc.data) {
      expect(t.traceID).toMatch(/^[0-9a-f]{32}$/);
      const ids = new Set(t.spans.map((s) => s.spanID));
      expect(ids.size).toBe(t.spans.length);
      expect(t.spans.filter((s) => s.references.length === 0)).toHaveLength(1);
      for (const s of t.spans) {
        expect(s.spanID).toMatch(/^[0-9a-f]{16}$/);
        expect(t.processes[s.processID]).toBeDefined();
        for (const r of s.references) expect(ids.has(r.spanID), `dangling parent ${r.spanID}`).toBe(true);
      }
    }
  });

  it('each server span is a CHILD_OF the client span of the same attempt, on the destination workload\'s process', () => {
    let n = 0;
    for (const t of doc.data) {
      const byId = new Map(t.spans.map((s) => [s.spanID, s]));
      for (const s of t.spans.filter((x) => kind(x) === 'server')) {
        n++;
        const parent = byId.get(parentId(s)!)!;
        expect(kind(parent)).toBe('client');
        expect(tag(parent, 'istio.destination.workload')).toBe(t.processes[s.processID].serviceName.split('.')[0] + (tag(parent, 'istio.destination.version') === 'unknown' ? '' : `-${tag(parent, 'istio.destination.version')}`));
        expect(s.startTime).toBeGreaterThanOrEqual(parent.startTime);
        expect(tag(s, 'guid:x-request-id')).toBe(tag(parent, 'guid:x-request-id'));
      }
    }
    expect(n).toBeGreaterThan(0);
  });

  it('a call an app makes hangs under the server span of the request it serves: sleep → productpage → reviews → ratings', () => {
    const t = doc.data.find((x) => x.spans.some((s) => s.operationName.startsWith('ratings.') && kind(s) === 'server'))!;
    const byId = new Map(t.spans.map((s) => [s.spanID, s]));
    let s: JaegerSpan | undefined = t.spans.find((x) => x.operationName.startsWith('ratings.') && kind(x) === 'server');
    const chain: string[] = [];
    while (s) {
      chain.push(`${kind(s)} ${t.processes[s.processID].serviceName}`);
      s = s.references.length ? byId.get(parentId(s)!) : undefined;
    }
    expect(chain.slice(0, 6)).toEqual(['server ratings.default', 'client reviews.default', 'server reviews.default', 'client productpage.default', 'server productpage.default', 'client sleep.default']);
    expect(chain).toHaveLength(7);
    expect(chain[6]).toMatch(/^client (anonymous|jason)$/);
  });

  it('server spans = attempts that reached an app with a sidecar, counted independently from the trace', () => {
    // app.end events of requests whose trace was written, joined by stream through upstream events.
    const reqOfStream = new Map<number, number>();
    const ended = new Set<number>();
    for (const e of events) {
      if (e.kind === 'upstream' && !reqOfStream.has(e.stream)) reqOfStream.set(e.stream, e.req);
      if (e.kind === 'client.end') ended.add(e.req);
    }
    // An app.end counts when its request had not ended yet at that time (later ones have no trace to join).
    const endedBefore = new Set<number>();
    let expected = 0;
    for (const e of events) {
      if (e.kind === 'client.end') endedBefore.add(e.req);
      if (e.kind !== 'app.end') continue;
      const req = reqOfStream.get(e.stream);
      if (req !== undefined && ended.has(req) && !endedBefore.has(req)) expected++;
    }
    const servers = doc.data.reduce((n, t) => n + t.spans.filter((s) => kind(s) === 'server').length, 0);
    expect(servers).toBe(expected);
  });
});

describe('Jaeger: retries, flags and callers without a sidecar', () => {
  const { doc } = exportRun('test/telemetry/fixtures/flags.yaml');

  it('Envoy retries of one call are sibling client spans under the server span of the app that called', () => {
    let found = 0;
    for (const t of doc.data) {
      const flaky = t.spans.filter((s) => s.operationName.startsWith('flaky.default.svc.cluster.local') && kind(s) === 'client');
      if (flaky.length < 2) continue;
      found++;
      const parents = new Set(flaky.map(parentId));
      expect(parents.size).toBe(1);
      const parent = t.spans.find((s) => s.spanID === [...parents][0])!;
      expect(kind(parent)).toBe('server');
      expect(t.processes[parent.processID].serviceName).toBe('client.default');
      const attempts = flaky.map((s) => tag(s, 'retry.attempt'));
      expect(attempts).toEqual(attempts.map((_, i) => i + 1));
      expect(flaky.slice(0, -1).every((s) => tag(s, 'http.status_code') === '503')).toBe(true);
      // Each try that reached flaky has its own server span under that try's client span.
      for (const c of flaky) {
        const servers = t.spans.filter((s) => kind(s) === 'server' && parentId(s) === c.spanID);
        expect(servers.length).toBeLessThanOrEqual(1);
      }
    }
    expect(found).toBeGreaterThan(0);
  });

  it('client spans carry route, cluster, flags and status; errors are tagged error=true', () => {
    const spans = doc.data.flatMap((t) => t.spans);
    const ut = spans.find((s) => tag(s, 'response_flags') === 'UT')!;
    const tags = Object.fromEntries(ut.tags.map((x) => [x.key, x.value]));
    expect(tags).toMatchObject({ 'span.kind': 'client', 'http.status_code': '504', upstream_cluster: 'outbound|8000||slow.default.svc.cluster.local', 'istio.route': 'default/slow#0', 'retry.attempt': 1, error: true });
    const fi = spans.find((s) => tag(s, 'response_flags') === 'FI')!;
    expect(tag(fi, 'http.status_code')).toBe('503');
    // A fault abort never reaches the app: no server span under it.
    expect(spans.some((s) => parentId(s) === fi.spanID)).toBe(false);
  });

  it('a caller outside the mesh has no sidecar and so no client span: the first server span hangs under the root', () => {
    for (const t of doc.data) {
      const root = t.spans.find((s) => s.references.length === 0)!;
      const children = t.spans.filter((s) => parentId(s) === root.spanID);
      expect(children.every((s) => kind(s) === 'server' && t.processes[s.processID].serviceName === 'client.default')).toBe(true);
      expect(t.spans.some((s) => tag(s, 'component') === 'proxy' && t.processes[s.processID].serviceName === 'mixed')).toBe(false);
    }
  });

  it('one trace per client request, written as each request ends (streaming)', () => {
    let sink!: JaegerSink;
    let writtenDuringRun = 0;
    const s = loadScenario('test/telemetry/fixtures/flags.yaml', nodeFiles({ cwd: repoRoot }));
    const result = runScenario(s, {
      sinks: [(sink = new JaegerSink(() => {})), { write: (ev: TraceEvent) => void (ev.kind === 'client.end' && ev.req === 20 && (writtenDuringRun = sink.traces)) }],
    });
    sink.finish();
    expect(sink.traces).toBe(result.summary.clients[0].requests);
    expect(writtenDuringRun).toBeGreaterThanOrEqual(19);
    expect(sink.heldEvents).toBe(0);
  });

  it('an app that answers after its request ended is dropped once the horizon passes: held events stay bounded', () => {
    const sink = new JaegerSink(() => {});
    const late: TraceEvent = { kind: 'app.end', timeUs: 1_000, pod: 'p-0', namespace: 'ns', stream: 999, arrivalUs: 500, startUs: 500, status: 200 };
    sink.write(late);
    expect(sink.heldEvents).toBe(1);
    const start = (req: number, timeUs: number): TraceEvent => ({ kind: 'client.start', timeUs, req, client: 'c', pod: null });
    const end = (req: number, timeUs: number): TraceEvent => ({ kind: 'client.end', timeUs, req, client: 'c', code: 200, flags: '-', latencyUs: 1 });
    sink.write(start(1, 2_000));
    sink.write(end(1, 2_001));
    expect(sink.heldEvents).toBe(1);
    sink.write(start(2, 1_000 + UNCLAIMED_HORIZON_US + 10));
    sink.write(end(2, 1_000 + UNCLAIMED_HORIZON_US + 11));
    expect(sink.heldEvents).toBe(0);
    sink.finish();
    expect(sink.traces).toBe(2);
  });
});
