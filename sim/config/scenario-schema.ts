/**
 * The scenario file format (apiVersion meshsim.dev/v1alpha1, kind Scenario) as zod schemas.
 * These are the single definition used both to validate scenarios and to generate
 * scenarios/scenario.schema.json (`scenarioJsonSchema`). They check shapes only; units,
 * ranges that need parsing and cross references are checked by the resolver (scenario.ts),
 * which reports them at the offending field.
 */
import { z } from 'zod';
import { MAX_CONNECTIONS } from './limits.ts';
import { tokensSchema } from './security-schema.ts';

const int = z.number().int();

/** zod's own messages start with "Invalid "; messages set here are used verbatim by issues.ts. */
const duration = z
  .string({
    error: (iss) =>
      typeof iss.input !== 'number'
        ? undefined
        : Number.isFinite(iss.input)
          ? `a number needs a unit here: write "${iss.input}s" or "${iss.input}ms"`
          : `${iss.input} is not a duration; write a finite number with a unit, e.g. "30s"`,
  })
  .meta({ id: 'Duration', description: 'Duration: a number with a unit (ns, us, ms, s, m, h), e.g. "250ms", "3s", "1m30s".', examples: ['3s'] });

const percent = z
  .union([z.string(), z.number()])
  .meta({ id: 'Percent', description: 'Percentage "10%" or fraction 0.1.', examples: ['10%'] });

const comparison = z
  .string()
  .meta({ id: 'Comparison', description: 'Operator and value: "< 100ms", ">= 99%", "== 0". Operators: < <= > >= ==.', examples: ['< 100ms'] });

const httpStatus = int.min(100).max(599).meta({ description: 'HTTP status code (100–599).' });

const distributionObject = z.discriminatedUnion('distribution', [
  z
    .strictObject({ distribution: z.literal('constant'), value: duration })
    .meta({ description: 'Always the same duration.' }),
  z
    .strictObject({ distribution: z.literal('uniform'), min: duration, max: duration })
    .meta({ description: 'Uniform between min and max (max >= min).' }),
  z
    .strictObject({ distribution: z.literal('exponential'), mean: duration })
    .meta({ description: 'Exponential with the given mean (memoryless; M/M/c style).' }),
  z
    .strictObject({ distribution: z.literal('lognormal'), median: duration, p99: duration })
    .meta({ description: 'Lognormal fixed by its median and 99th percentile (p99 > median).' }),
  z
    .strictObject({
      distribution: z.literal('empirical'),
      buckets: z
        .array(
          z.strictObject({
            le: duration.meta({ description: 'Bucket upper bound (inclusive); buckets in increasing order.' }),
            weight: z.number().min(0),
          }),
        )
        .min(1),
    })
    .meta({ description: 'Histogram: each bucket covers (previous le, le] with the given weight, uniform inside.' }),
]);

export const distributionSchema = z
  .union([duration, distributionObject])
  .meta({ id: 'Distribution', description: 'A duration (constant) or {distribution: constant|uniform|exponential|lognormal|empirical, ...}.' });

export const callSchema = z
  .strictObject({
    url: z.string().meta({ description: 'http:// or https:// URL; port defaults to 80 / 443.', examples: ['http://reviews:9080/reviews/0'] }),
    method: z.string().optional().meta({ description: 'HTTP method, default GET.' }),
    headers: z.record(z.string(), z.string()).optional().meta({ description: 'Fixed request headers this call adds.' }),
    timeout: duration.optional().meta({ description: "The app's own timeout per attempt; default none." }),
    attempts: int.min(1).optional().meta({ description: 'Application-level attempts (1 = no app retry). Default 1.' }),
    retryOn: z
      .enum(['error', 'non-2xx'])
      .optional()
      .meta({ description: "When the app retries: 'error' (5xx, reset, timeout; default) or 'non-2xx'." }),
  })
  .meta({ id: 'Call', description: 'One downstream call.' });

export const callStepSchema = z.union([
  callSchema,
  z.strictObject({ parallel: z.array(callSchema).min(1) }).meta({ description: 'Calls made concurrently; the step ends when all answered.' }),
]);

export const workloadSchema = z
  .strictObject({
    serviceTime: distributionSchema.optional().meta({ description: 'Time the app works on one request. Default lognormal median 1ms, p99 5ms.' }),
    concurrency: int.min(0).optional().meta({ description: 'Requests processed at once per pod; 0 = unlimited (default).' }),
    queueLimit: int.min(0).optional().meta({ description: 'Requests waiting for a worker per pod; 0 = unlimited (default).' }),
    queueFullStatus: httpStatus.optional().meta({ description: 'Status answered when the queue is full. Default 503.' }),
    status: httpStatus.optional().meta({ description: 'Normal response status. Default 200.' }),
    errors: z
      .strictObject({
        rate: percent,
        status: httpStatus.optional().meta({ description: 'Default 500.' }),
      })
      .optional()
      .meta({ description: 'Share of requests the app fails on its own.' }),
    propagateHeaders: z.array(z.string()).optional().meta({ description: 'Incoming headers copied to every downstream call.' }),
    onCallFailure: z
      .union([z.literal('continue'), z.strictObject({ status: httpStatus })])
      .optional()
      .meta({ description: "When a downstream call finally failed: 'continue' (default) or {status: 503}." }),
    responseBytes: int.min(0).optional().meta({ description: 'Response body size in bytes. Default 0.' }),
    calls: z.array(callStepSchema).optional().meta({ description: 'Downstream calls, in order; a {parallel: [...]} step runs its calls concurrently.' }),
  })
  .meta({ id: 'Workload', description: 'Simulated behaviour of the app in one Deployment.' });

export const trafficSchema = z
  .strictObject({
    name: z.string().min(1).meta({ description: 'Client name, used by expectations and reports.' }),
    from: z.string().optional().meta({ description: 'Client Deployment ("name" or "ns/name"); omitted = outside the mesh.' }),
    url: z.string().meta({ examples: ['http://productpage:9080/productpage'] }),
    method: z.string().optional().meta({ description: 'Default GET.' }),
    headers: z.record(z.string(), z.string()).optional(),
    rate: z
      .union([z.string(), z.number()])
      .optional()
      .meta({ description: 'Open loop: "20/s", "600/m" (or "/min"), or a number per second. > 0 and <= 1000000/s.', examples: ['20/s'] }),
    arrival: z.enum(['poisson', 'constant']).optional().meta({ description: 'Open-loop arrivals; default poisson.' }),
    connections: int
      .min(1)
      .max(MAX_CONNECTIONS, { error: (iss) => `connections ${String(iss.input)} is above meshsim's limit of ${MAX_CONNECTIONS} (each connection is a simulated client worker)` })
      .optional()
      .meta({ description: `Closed loop (like fortio -c): workers that each wait for the answer. At most ${MAX_CONNECTIONS}.` }),
    qps: z.number().min(0).optional().meta({ description: 'Closed loop total target rate; 0 = as fast as possible (default).' }),
    requests: int.min(0).optional().meta({ description: 'Stop after this many requests; 0 = no limit (default).' }),
    start: duration.optional().meta({ description: 'Default 0s.' }),
    stop: duration.optional().meta({ description: 'Default: the scenario duration.' }),
    timeout: duration.optional().meta({ description: 'Client timeout; 0s = none (default). A timed-out request ends with code 0.' }),
  })
  .meta({ id: 'Traffic', description: 'A load generator.' });

const resourceRef = z.strictObject({
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().optional().meta({ description: 'Default "default".' }),
  apiVersion: z.string().optional(),
});

const podOrWorkload = {
  pod: z.string().min(1).optional().meta({ description: 'One pod by name, e.g. "reviews-v3-0" (Deployment name, dash, replica number).' }),
  workload: z.string().min(1).optional().meta({ description: 'A Deployment ("name" or "ns/name").' }),
};

const readinessDelay = duration.optional().meta({ description: 'Container start → Ready (readiness probe passes) for pods this action starts. Default 2s.' });

const forWindow = duration.optional().meta({ description: 'How long the window lasts; omitted = until the end of the run.' });

const podActionSchema = z
  .strictObject({
    ...podOrWorkload,
    count: int.optional().meta({ description: 'With workload: how many of its pods (lowest-numbered first). Default 1.' }),
    readinessDelay,
  })
  .meta({ description: '{pod: NAME} or {workload: DEPLOYMENT, count?: N}.' });

export const timelineSchema = z
  .strictObject({
    at: duration.meta({ description: 'Simulated time of the change.' }),
    apply: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .meta({ description: 'Manifest file(s), relative to the scenario file; same kind/namespace/name replaces.' }),
    delete: z.union([resourceRef, z.array(resourceRef).min(1)]).optional().meta({ description: 'Resource(s) to delete.' }),
    patch: z
      .strictObject({
        kind: z.string().min(1),
        name: z.string().min(1),
        namespace: z.string().optional().meta({ description: 'Default "default".' }),
        merge: z.record(z.string(), z.unknown()).meta({ description: 'JSON merge patch (RFC 7386): objects merge, null deletes a field, anything else replaces.' }),
      })
      .optional()
      .meta({ description: 'Merge-patch a resource that exists at that time (like kubectl patch --type merge).' }),
    kill: podActionSchema
      .extend({
        grace: duration.optional().meta({ description: 'Termination grace period (terminating → gone). Default 0s.' }),
        replace: z.boolean().optional().meta({ description: 'The ReplicaSet creates a replacement pod (default true).' }),
      })
      .optional()
      .meta({ description: 'Delete pod(s): they leave the endpoints at once and requests they were serving are reset; the ReplicaSet starts replacements.' }),
    crash: podActionSchema
      .optional()
      .meta({ description: 'The container exits: not ready until kubelet restarts it after the CrashLoopBackOff back-off (10s, doubling per crash, max 5m) plus the readiness delay.' }),
    scale: z
      .strictObject({
        workload: z.string().min(1).meta({ description: 'Deployment ("name" or "ns/name").' }),
        replicas: int.meta({ description: 'New replica count (>= 0).' }),
        readinessDelay,
      })
      .optional()
      .meta({ description: 'Scale a Deployment: new pods go pending → starting → ready; scale-down terminates the highest-numbered pods.' }),
    restart: z
      .strictObject({
        workload: z.string().min(1).meta({ description: 'Deployment ("name" or "ns/name").' }),
        maxSurge: z.union([int, z.string()]).optional().meta({ description: 'Pods above replicas during the update: a count or "25%" (default, rounded up).' }),
        maxUnavailable: z.union([int, z.string()]).optional().meta({ description: 'Ready pods below replicas allowed: a count or "25%" (default, rounded down).' }),
        readinessDelay,
      })
      .optional()
      .meta({ description: 'Rolling update (kubectl rollout restart): new pods replace the old ones within maxSurge / maxUnavailable.' }),
    slow: z
      .strictObject({ ...podOrWorkload, extra: duration.meta({ description: 'Added to the service time of each request.' }), for: forWindow })
      .optional()
      .meta({ description: 'Extra service time for requests the pod(s) start during the window (for).' }),
    fail: z
      .strictObject({
        ...podOrWorkload,
        status: httpStatus.optional().meta({ description: 'Status the app answers. Default 503.' }),
        ratio: percent.optional().meta({ description: 'Share of requests that fail. Default 100%.' }),
        for: forWindow,
      })
      .optional()
      .meta({ description: 'The app answers `status` for `ratio` of the requests it starts during the window (for).' }),
    partition: z
      .strictObject({
        from: z.string().min(1).meta({ description: 'Calling Deployment.' }),
        to: z.string().min(1).meta({ description: 'Called Deployment.' }),
        for: forWindow,
      })
      .optional()
      .meta({ description: 'Connections from pods of `from` to pods of `to` fail (503 UF, retried by the default policy) during the window (for).' }),
    traffic: z
      .strictObject({
        client: z.string().min(1).meta({ description: 'Traffic entry name.' }),
        rate: z.union([z.string(), z.number()]).meta({ description: 'New rate ("200/s"); for closed-loop clients the new qps.', examples: ['200/s'] }),
        over: duration.optional().meta({ description: 'Ramp linearly from the current rate over this long (default: a step).' }),
      })
      .optional()
      .meta({ description: 'Change a client\'s rate: a step, or a linear ramp with over.' }),
  })
  .meta({
    id: 'TimelineEntry',
    description: 'One change at a simulated time: exactly one of apply, delete, patch, kill, crash, scale, restart, slow, fail, partition or traffic.',
  });

/** Action keys of a timeline entry, in the order the README documents them. */
export const TIMELINE_ACTIONS = ['apply', 'delete', 'patch', 'kill', 'crash', 'scale', 'restart', 'slow', 'fail', 'partition', 'traffic'] as const;

const latencyChecks = z
  .strictObject({
    p50: comparison.optional(),
    p90: comparison.optional(),
    p95: comparison.optional(),
    p99: comparison.optional(),
    p999: comparison.optional(),
    mean: comparison.optional(),
    max: comparison.optional(),
  })
  .meta({ description: 'Latency bounds, e.g. {p99: "< 100ms"}.' });

export const expectationSchema = z
  .strictObject({
    name: z.string().min(1),
    client: z.string().optional().meta({ description: 'Traffic entry name.' }),
    edge: z
      .strictObject({
        from: z.string().optional().meta({ description: 'Calling workload (Deployment) or client name.' }),
        service: z.string().optional().meta({ description: 'Service short name.' }),
        to: z.string().optional().meta({ description: 'Destination workload (Deployment).' }),
      })
      .optional(),
    rule: z
      .strictObject({
        virtualService: z.string().min(1).meta({ description: '"ns/name" or "name" (namespace default).' }),
        index: int.min(0).optional().meta({ description: 'Index of the http rule (0-based).' }),
        name: z.string().min(1).optional().meta({ description: 'Name of the http rule (instead of index).' }),
      })
      .optional()
      .meta({ description: 'Only requests one VirtualService http rule routed.' }),
    workload: z.string().optional().meta({ description: 'Only requests served by this workload (Deployment); for proxyConfig, only its proxies.' }),
    during: z.tuple([duration, duration]).optional().meta({ description: 'Only requests that started in [from, to).' }),
    after: duration.optional().meta({ description: 'Only requests that started at or after this time.' }),
    always: z.boolean().optional().meta({ description: 'The check holds in every time bucket that has requests.' }),
    eventually: z.boolean().optional().meta({ description: 'From some time bucket on, the check holds in every later bucket that has requests.' }),
    bucket: duration.optional().meta({ description: 'Bucket width for always/eventually; default 5s.' }),
    split: z
      .union([z.literal('fromConfig'), z.record(z.string(), percent)])
      .optional()
      .meta({ description: 'Expected shares, e.g. {v1: 50%, v3: 50%} (must sum to 100%); with exact: true, request counts; or fromConfig: the weights of the VirtualService rule in force.' }),
    splitBy: z.enum(['version', 'workload']).optional().meta({ description: 'Default version (the destination pods\' version label).' }),
    exact: z.boolean().optional().meta({ description: 'split values are exact request counts for the scenario seed (no statistics).' }),
    tolerance: percent.nullable().optional().meta({ description: 'Allowed absolute deviation per share; null/omitted = statistical bound only.' }),
    confidence: percent.optional().meta({ description: 'Confidence of the statistical bound; default 99.9%.' }),
    latency: latencyChecks.optional(),
    errorRate: comparison.optional().meta({ description: 'Share of 5xx or code 0 (no answer), e.g. "< 1%".' }),
    successRate: comparison.optional().meta({ description: "Flagger's request-success-rate: share of answers that are not 5xx, e.g. \">= 99%\"." }),
    codes: z.record(z.string(), comparison).optional().meta({ description: 'Share per status code or response flag, e.g. {"200": ">= 99%"}.' }),
    counts: z.record(z.string(), comparison).optional().meta({ description: 'Count per status code or response flag, e.g. {"503": "== 0"}.' }),
    requests: comparison.optional().meta({ description: 'Number of requests in scope, e.g. ">= 100".' }),
    neverReaches: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .meta({ description: 'Workload(s) no request in scope may reach, e.g. reviews-v3.' }),
    retries: comparison.optional().meta({ description: 'Retried attempts (attempt > 1) in scope: a count ("<= 10") or a share of attempts ("< 5%").' }),
    ejections: comparison.optional().meta({ description: 'Outlier ejections (outlier.eject events), e.g. "== 0".' }),
    proxyConfig: z
      .strictObject({
        version: z.union([int.min(1), z.literal('latest')]).meta({ description: 'Config version (1 at start, +1 per timeline change) or latest.' }),
        by: duration.meta({ description: 'Simulated time by which every proxy must run it.' }),
      })
      .optional()
      .meta({ description: 'Every proxy in scope runs at least this config version by the given time.' }),
  })
  .meta({ id: 'Expectation', description: 'A check over the run. Several checks in one entry become several expectations ("name (p99)").' });

const version = z
  .string({
    error: (iss) =>
      typeof iss.input === 'number' ? `write the Istio version as a quoted string, e.g. "1.28" (YAML reads 1.10 as the number 1.1)` : undefined,
  })
  .meta({ description: 'Istio release whose behaviour to follow, e.g. "1.28" (default) or "1.22".', examples: ['1.28'] });

const outboundMode = z.enum(['ALLOW_ANY', 'REGISTRY_ONLY']);

export const meshSchema = z.strictObject({
  istio: z
    .strictObject({
      version: version.optional(),
      defaultLoadBalancer: z.enum(['LEAST_REQUEST', 'ROUND_ROBIN']).optional(),
      weightsMustSum100: z.boolean().optional(),
      defaultRetryOn503: z.boolean().optional(),
      inboundResetBeforeRequestRetry: z.boolean().optional(),
      legacyFirstEjectionAlwaysAllowed: z.boolean().optional(),
      missingClusterFlag: z.enum(['NC', 'NR']).optional(),
    })
    .optional()
    .meta({ description: 'Istio version and individual behaviour switches (istio-semantics.md §9.4).' }),
  outboundTrafficPolicy: z
    .union([outboundMode, z.strictObject({ mode: outboundMode })])
    .optional()
    .meta({ description: 'ALLOW_ANY (default) or REGISTRY_ONLY.' }),
  propagation: z
    .union([
      z.enum(['default', 'instant']),
      z.strictObject({
        debounce: duration.optional().meta({ description: 'PILOT_DEBOUNCE_AFTER: push this long after the last change. Default 100ms.' }),
        debounceMax: duration.optional().meta({ description: 'PILOT_DEBOUNCE_MAX: push at most this long after the first change. Default 10s.' }),
        pushDelayMin: duration.optional().meta({ description: 'Per-proxy apply delay, uniform from this… Default 50ms.' }),
        pushDelayMax: duration.optional().meta({ description: '…to this. Default 500ms.' }),
      }),
    ])
    .optional()
    .meta({ description: 'How config and endpoint changes reach sidecars (istio-semantics.md §6.1): instant (default), default (istiod debounce + per-proxy push delay) or the individual knobs.' }),
  rootNamespace: z.string().min(1).optional().meta({ description: 'Default istio-system.' }),
  trustDomain: z.string().min(1).optional().meta({ description: 'Default cluster.local.' }),
});

export const specSchema = z.strictObject({
  seed: int.min(0).optional().meta({ description: 'Random seed; default 1.' }),
  duration: duration.optional().meta({ description: 'How long traffic runs (default 60s); in-flight requests then drain.' }),
  mesh: meshSchema.optional(),
  sidecar: z
    .strictObject({
      outboundLatency: distributionSchema.optional().meta({ description: 'Client sidecar, each way. Default lognormal median 200us p99 800us.' }),
      inboundLatency: distributionSchema.optional().meta({ description: 'Server sidecar, each way. Default lognormal median 200us p99 800us.' }),
      networkLatency: distributionSchema.optional().meta({ description: 'Pod to pod, one way. Default constant 50us.' }),
    })
    .optional(),
  budgets: z
    .strictObject({
      maxEvents: int.min(1).optional().meta({ description: 'Default 50000000.' }),
      maxSimTime: duration.optional().meta({ description: 'Including the drain; default 1h.' }),
      maxInFlight: int.min(1).optional().meta({ description: 'Default 1000000.' }),
      maxTraceBytes: z
        .union([int.min(1), z.string()])
        .optional()
        .meta({ description: 'Largest trace file a front end writes (meshsim run --trace): bytes or a size such as "500MB", "2GiB". Default 2GiB.' }),
    })
    .optional(),
  manifests: z.array(z.string()).optional().meta({ description: 'Kubernetes/Istio YAML files, relative to the scenario file.' }),
  resources: z
    .array(
      z.looseObject({ apiVersion: z.string().optional(), kind: z.string().optional(), metadata: z.looseObject({}).optional() }),
    )
    .optional()
    .meta({ description: 'Inline Kubernetes/Istio documents, loaded after the manifests.' }),
  workloads: z.record(z.string(), workloadSchema).optional().meta({ description: 'Behaviour per Deployment ("name" or "ns/name").' }),
  traffic: z.array(trafficSchema).optional(),
  timeline: z.array(timelineSchema).optional(),
  expect: z.array(expectationSchema).optional(),
  tokens: tokensSchema.optional(),
});

export const scenarioSchema = z
  .strictObject({
    apiVersion: z.literal('meshsim.dev/v1alpha1'),
    kind: z.literal('Scenario'),
    metadata: z.strictObject({
      name: z.string().min(1),
      description: z.string().optional(),
      labels: z.record(z.string(), z.string()).optional(),
    }),
    spec: specSchema,
  })
  .meta({ title: 'meshsim scenario', description: 'A meshsim scenario: manifests, workload behaviour, traffic, timeline and expectations.' });

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type SpecInput = z.input<typeof specSchema>;
export type WorkloadInput = z.input<typeof workloadSchema>;
export type TrafficInput = z.input<typeof trafficSchema>;
export type TimelineInput = z.input<typeof timelineSchema>;
export type ExpectationInput = z.input<typeof expectationSchema>;
export type DistributionInput = z.input<typeof distributionSchema>;
export type CallInput = z.input<typeof callSchema>;
export type CallStepInput = z.input<typeof callStepSchema>;

/** JSON Schema (draft-07, what yaml-language-server reads) generated from `scenarioSchema`. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://meshsim.dev/schemas/scenario.v1alpha1.json' };
}
