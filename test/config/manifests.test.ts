import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../sim/domain/diagnostics.ts';
import type { Diagnostic } from '../../sim/domain/diagnostics.ts';
import { memoryFiles } from '../../sim/config/file-source.ts';
import { loadManifests, parseManifestText } from '../../sim/config/manifests.ts';
import { defaultProfile } from '../../sim/config/profile.ts';
import type { DeploymentResource, ServiceResource, VirtualServiceResource } from '../../sim/config/types.ts';

const errors = (ds: Diagnostic[]): Diagnostic[] => ds.filter((d) => d.level === 'error');

/** A VirtualService whose http section is `http` (indented by the caller); line 7 is the first http line. */
function vs(http: string, extra = ''): string {
  return ['apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata:', '  name: reviews', 'spec:', '  hosts: [reviews]', http, extra].join('\n');
}

function only(text: string, profile = defaultProfile()): Diagnostic[] {
  return parseManifestText(text, 'm.yaml', 0, { profile }).diagnostics;
}

describe('Kubernetes kinds', () => {
  it('bookinfo platform.yaml: 1 Namespace, 5 ServiceAccounts, 5 Services, 7 Deployments, no diagnostics', () => {
    const text = readFileSync('scenarios/bookinfo/platform.yaml', 'utf8');
    const r = parseManifestText(text, 'scenarios/bookinfo/platform.yaml');
    expect(r.diagnostics).toEqual([]);
    const count = (k: string): number => r.resources.filter((x) => x.kind === k).length;
    expect([count('Namespace'), count('ServiceAccount'), count('Service'), count('Deployment')]).toEqual([1, 5, 5, 7]);
    expect(r.resources.map((x) => x.meta.order)).toEqual(r.resources.map((_, i) => i));
    const ns = r.resources[0];
    expect(ns.meta.labels).toEqual({ 'istio-injection': 'enabled' });
    const reviews = r.resources.find((x): x is DeploymentResource => x.kind === 'Deployment' && x.meta.name === 'reviews-v2');
    expect(reviews).toMatchObject({
      replicas: 1,
      selector: { app: 'reviews', version: 'v2' },
      podLabels: { app: 'reviews', version: 'v2' },
      serviceAccount: 'bookinfo-reviews',
      containerPorts: [{ containerPort: 9080 }],
    });
    const svc = r.resources.find((x): x is ServiceResource => x.kind === 'Service' && x.meta.name === 'reviews');
    expect(svc?.ports).toEqual([{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' }]);
    expect(svc?.meta.namespace).toBe('default');
  });

  it('deployment: replicas default 1, serviceAccountName default "default", unknown container fields accepted', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, version: v1}}
    spec:
      nodeSelector: {disk: ssd}
      containers:
      - name: web
        image: nginx
        resources: {limits: {cpu: "1"}}
        readinessProbe: {httpGet: {path: /, port: 80}}
        ports: [{containerPort: 80, name: http}]
status: {replicas: 1}
`;
    const r = parseManifestText(text, 'd.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.resources[0]).toMatchObject({ kind: 'Deployment', replicas: 1, serviceAccount: 'default', containerPorts: [{ containerPort: 80, name: 'http' }] });
    expect(r.resources[0].meta.namespace).toBe('shop');
  });

  it('deployment: selector that does not match the template labels is an error', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: webb}}
    spec: {containers: [{name: web}]}
`;
    const ds = errors(only(text));
    expect(ds).toHaveLength(1);
    expect(ds[0].path).toBe('spec.selector.matchLabels.app');
    expect(ds[0].source).toMatchObject({ line: 5, col: 33 });
  });

  it('deployment: an unknown field in the Deployment spec is an error with did-you-mean', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replica: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web}]}
`;
    const ds = errors(only(text));
    expect(ds).toHaveLength(1);
    expect(ds[0].message).toBe("unknown field 'replica' (did you mean 'replicas'?)");
    expect(ds[0].source).toEqual({ file: 'm.yaml', line: 5, col: 3 });
  });

  it('service: targetPort defaults to port; a named targetPort is kept', () => {
    const text = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: ClusterIP
  clusterIP: 10.0.0.1
  selector: {app: web}
  ports:
  - {name: http, port: 80}
  - {name: grpc, port: 9000, targetPort: grpc-port, appProtocol: grpc}
`;
    const r = parseManifestText(text, 's.yaml');
    expect(r.diagnostics).toEqual([]);
    expect((r.resources[0] as ServiceResource).ports).toEqual([
      { name: 'http', port: 80, targetPort: 80, protocol: 'TCP' },
      { name: 'grpc', port: 9000, targetPort: 'grpc-port', protocol: 'TCP', appProtocol: 'grpc' },
    ]);
  });

  it('metadata: a missing name is an error; namespace defaults to "default"', () => {
    const ds = errors(only('apiVersion: v1\nkind: ServiceAccount\nmetadata: {labels: {a: b}}\n'));
    expect(ds).toHaveLength(1);
    expect(ds[0].message).toBe("missing required field 'name'");
    expect(ds[0].path).toBe('metadata.name');
    const r = parseManifestText('apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n', 'x.yaml');
    expect(r.resources[0].meta.namespace).toBe('default');
  });

  it('metadata: a label value must be a string (quote numbers)', () => {
    const ds = errors(only('apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  labels: {version: 1}\n'));
    expect(ds[0].message).toBe('expected a string, got 1 (quote it: "1")');
    expect(ds[0].source).toEqual({ file: 'm.yaml', line: 5, col: 21 });
  });

  it('list: kind List items are expanded with positions relative to each item', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: a}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: b, labels: {x: 1}}
`;
    const r = parseManifestText(text, 'l.yaml');
    expect(r.resources.map((x) => x.meta.name)).toEqual(['a']);
    expect(r.diagnostics[0].path).toBe('metadata.labels.x');
    expect(r.diagnostics[0].source).toEqual({ file: 'l.yaml', line: 9, col: 35 });
    expect(r.resources[0].meta.source).toEqual({ file: 'l.yaml', line: 5, col: 3 });
  });

  it('unknown kind: warning MSH0101, never an error or a crash', () => {
    const r = parseManifestText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\napiVersion: example.com/v9\nkind: Frobnicator\nspec: 7\n', 'u.yaml');
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MSH0101', 'MSH0101']);
    expect(r.diagnostics[0].message).toMatch(/ConfigMap/);
    expect(r.diagnostics[1].message).toMatch(/Frobnicator/);
    expect(r.resources).toEqual([]);
  });

  it('unknown apiVersion of a known kind: warning MSH0101 naming the supported versions', () => {
    const r = parseManifestText('apiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata: {name: v}\nspec: {}\n', 'u.yaml');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'MSH0101', level: 'warning' });
    expect(r.diagnostics[0].message).toMatch(/networking\.istio\.io\/v1, v1beta1 or v1alpha3/);
  });

  it('other Istio kinds: loaded as Other with warning MSH0100 "loaded but not simulated yet"', () => {
    const text = `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-1}
spec:
  address: 1.2.3.4
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: istio-system}
spec: {egress: [{hosts: ["./*"]}]}
`;
    const r = parseManifestText(text, 'g.yaml');
    expect(r.resources.map((x) => [x.kind, x.meta.kind, x.meta.namespace])).toEqual([
      ['Other', 'WorkloadEntry', 'default'],
      ['Other', 'Sidecar', 'istio-system'],
    ]);
    expect(r.diagnostics.map((d) => [d.code, d.level])).toEqual([
      ['MSH0100', 'warning'],
      ['MSH0100', 'warning'],
    ]);
    expect(r.diagnostics[0].message).toBe('kind WorkloadEntry is loaded but not simulated yet');
  });

  it('document: not a mapping, or no kind, is MSH0004', () => {
    const r = parseManifestText('- a\n- b\n---\napiVersion: v1\nmetadata: {name: x}\n', 'n.yaml');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MSH0004', 'MSH0004']);
    expect(r.diagnostics[1].message).toBe("missing required field 'kind'");
  });
});

describe('VirtualService validation (istiod webhook rules)', () => {
  it('vs: the Bookinfo networking samples load without diagnostics', () => {
    for (const f of readdirSync('scenarios/bookinfo').filter((n) => n !== 'platform.yaml')) {
      const r = parseManifestText(readFileSync(`scenarios/bookinfo/${f}`, 'utf8'), f);
      expect(r.diagnostics, f).toEqual([]);
      expect(r.resources.length, f).toBeGreaterThan(0);
    }
  });

  it('vs: spec keeps the user fields exactly and positions cover nested fields', () => {
    const r = parseManifestText(readFileSync('scenarios/bookinfo/virtual-service-reviews-test-v2.yaml', 'utf8'), 'vs.yaml');
    const v = r.resources[0] as VirtualServiceResource;
    expect(v.spec.http?.[0].match?.[0].headers?.['end-user']).toEqual({ exact: 'jason' });
    expect(v.meta.positions.get('spec.http[0].route[0].destination.subset')).toEqual({ file: 'vs.yaml', line: 18, col: 17 });
    expect(v.meta.positions.get('spec.http[1].route[0].destination.subset')).toEqual({ file: 'vs.yaml', line: 22, col: 17 });
  });

  it('vs: unknown field "weigth" → IST0106 "did you mean weight" at the key', () => {
    const ds = only(vs(`  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weigth: 50
    - destination: {host: reviews, subset: v3}
      weight: 50`));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({
      code: 'IST0106',
      level: 'error',
      resource: 'VirtualService default/reviews',
      path: 'spec.http[0].route[0].weigth',
      message: "unknown field 'weigth' (did you mean 'weight'?)",
      source: { file: 'm.yaml', line: 10, col: 7 },
    });
  });

  it('vs: route together with redirect is rejected', () => {
    const ds = only(vs(`  http:
  - route:
    - destination: {host: reviews}
    redirect: {uri: /v2}`));
    expect(ds).toHaveLength(1);
    expect(ds[0].message).toBe('an HTTP route cannot have both route and redirect');
    expect(ds[0].path).toBe('spec.http[0]');
    expect(ds[0].source).toEqual({ file: 'm.yaml', line: 8, col: 5 });
  });

  it('vs: directResponse+route, fault+redirect, rewrite+redirect, mirror+mirrors are rejected', () => {
    const ds = only(vs(`  http:
  - route: [{destination: {host: reviews}}]
    directResponse: {status: 503}
  - redirect: {uri: /x}
    fault: {abort: {httpStatus: 500, percentage: {value: 10}}}
    rewrite: {uri: /y}
  - route: [{destination: {host: reviews}}]
    mirror: {host: reviews-shadow}
    mirrors: [{destination: {host: reviews-shadow}}]`));
    expect(ds.map((d) => [d.path, d.message])).toEqual([
      ['spec.http[0]', 'an HTTP route cannot have both route and directResponse'],
      ['spec.http[1]', 'an HTTP route cannot have both fault and redirect'],
      ['spec.http[1]', 'an HTTP route cannot have both rewrite and redirect'],
      ['spec.http[2]', 'an HTTP route cannot set both mirror and mirrors'],
    ]);
  });

  it('vs: several destinations whose weights are all 0 → "total destination weight = 0"', () => {
    const ds = only(vs(`  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 0
    - destination: {host: reviews, subset: v2}`));
    expect(ds).toHaveLength(1);
    expect(ds[0].message).toMatch(/^total destination weight = 0/);
    expect(ds[0].path).toBe('spec.http[0].route');
    expect(ds[0].source).toEqual({ file: 'm.yaml', line: 9, col: 5 });
  });

  it('vs: a negative weight is rejected at the weight', () => {
    const ds = only(vs(`  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: -10
    - destination: {host: reviews, subset: v2}
      weight: 110`));
    expect(ds).toHaveLength(1);
    expect(ds[0].path).toBe('spec.http[0].route[0].weight');
    expect(ds[0].source).toEqual({ file: 'm.yaml', line: 10, col: 15 });
  });

  it('vs: weights 80/30 are fine from Istio 1.15 but must sum to 100 before', () => {
    const text = vs(`  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 80
    - destination: {host: reviews, subset: v2}
      weight: 30`);
    expect(only(text, defaultProfile('1.28'))).toEqual([]);
    const old = only(text, defaultProfile('1.14'));
    expect(old).toHaveLength(1);
    expect(old[0].message).toMatch(/total destination weight 110 != 100/);
  });

  it('vs: a string match needs exactly one of exact, prefix, regex; header names are lowercase', () => {
    const ds = only(vs(`  http:
  - match:
    - uri: {exact: /a, prefix: /a}
      headers:
        End-User: {exact: jason}
    - method: {}
    route: [{destination: {host: reviews}}]`));
    expect(ds.map((d) => [d.path, d.message])).toEqual([
      ['spec.http[0].match[0].uri', 'a string match must set exactly one of exact, prefix or regex; found exact and prefix'],
      ['spec.http[0].match[0].headers.End-User', "header name 'End-User' must be lowercase (write 'end-user')"],
      ['spec.http[0].match[1].method', 'a string match must set one of exact, prefix or regex'],
    ]);
  });

  it('vs: a header presence match ({}) is allowed', () => {
    expect(only(vs(`  http:
  - match: [{headers: {end-user: {}}}]
    route: [{destination: {host: reviews}}]`))).toEqual([]);
  });

  it('vs: redirect code, mirror percentage, retries, fault percentages and durations are range-checked', () => {
    const ds = only(vs(`  http:
  - redirect: {uri: /x, redirectCode: 305}
  - route: [{destination: {host: reviews}}]
    mirror: {host: shadow}
    mirrorPercentage: {value: 150}
    timeout: 3 sec
    retries: {attempts: -1, perTryTimeout: 0.5ms, retryOn: "5xx,gatway-error"}
  - route: [{destination: {host: reviews}}]
    fault:
      delay: {fixedDelay: -1s, percentage: {value: 100}}
      abort: {httpStatus: 500, percentage: {value: 120}}`));
    expect(ds.map((d) => d.path)).toEqual([
      'spec.http[0].redirect.redirectCode',
      'spec.http[1].timeout',
      'spec.http[1].retries.attempts',
      'spec.http[1].retries.perTryTimeout',
      'spec.http[1].retries.retryOn',
      'spec.http[1].mirrorPercentage.value',
      'spec.http[2].fault.delay.fixedDelay',
      'spec.http[2].fault.abort.percentage.value',
    ]);
    expect(ds[0].message).toBe('redirectCode must be one of 301, 302, 303, 307, 308, got 305');
    expect(ds[1].source).toEqual({ file: 'm.yaml', line: 12, col: 14 });
    expect(ds[4].message).toBe("retryOn policy 'gatway-error' is not valid (did you mean 'gateway-error'?)");
    expect(ds[6].message).toMatch(/negative/);
  });

  it('vs: http rules without hosts make a delegate: no gateways allowed, no nested delegate', () => {
    const text = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-delegate}
spec:
  gateways: [bookinfo-gateway]
  http:
  - delegate: {name: other}
`;
    const ds = only(text);
    expect(ds.map((d) => d.path)).toEqual(['spec.gateways', 'spec.http[0].delegate']);
  });

  it('vs: a VirtualService used as a delegate must not have hosts (cross-resource)', () => {
    const files = memoryFiles({
      'root.yaml': `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root}
spec:
  hosts: [reviews]
  http:
  - delegate: {name: child}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: child}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews}}]
`,
    });
    expect(() => loadManifests(['root.yaml'], files)).toThrow(InputError);
    try {
      loadManifests(['root.yaml'], files);
    } catch (e) {
      const d = (e as InputError).diagnostics;
      expect(d).toHaveLength(1);
      expect(d[0].resource).toBe('VirtualService default/child');
      expect(d[0].message).toMatch(/used as a delegate by VirtualService default\/root/);
      expect(d[0].source).toEqual({ file: 'root.yaml', line: 13, col: 10 });
    }
  });
});

describe('DestinationRule validation', () => {
  const dr = (spec: string): string => ['apiVersion: networking.istio.io/v1beta1', 'kind: DestinationRule', 'metadata: {name: reviews}', 'spec:', spec].join('\n');

  it('dr: host is required', () => {
    const ds = only(dr('  subsets: [{name: v1, labels: {version: v1}}]'));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'IST0106', path: 'spec.host', message: "missing required field 'host'" });
  });

  it('dr: subset names are required and unique', () => {
    const ds = only(dr(`  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
  - labels: {version: v2}
  - name: v1
    labels: {version: v3}`));
    expect(ds.map((d) => [d.path, d.message])).toEqual([['spec.subsets[1].name', "missing required field 'name'"]]);
    const dup = only(dr(`  host: reviews
  subsets:
  - name: v1
  - name: v1`));
    expect(dup.map((d) => [d.path, d.message, d.source?.line])).toEqual([['spec.subsets[1].name', "duplicate subset name 'v1' (also subsets[0])", 8]]);
  });

  it('dr: negative connection pool values are rejected', () => {
    const ds = only(dr(`  host: reviews
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: -1}
      http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: -5}`));
    expect(ds.map((d) => d.path)).toEqual(['spec.trafficPolicy.connectionPool.tcp.maxConnections', 'spec.trafficPolicy.connectionPool.http.maxRequestsPerConnection']);
  });

  it('dr: consecutiveErrors is a warning (deprecated, ignored since Istio 1.7), not an error', () => {
    const ds = only(dr(`  host: reviews
  trafficPolicy:
    outlierDetection: {consecutiveErrors: 1, interval: 1s, baseEjectionTime: 3m, maxEjectionPercent: 100}`));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ level: 'warning', code: 'IST0106', path: 'spec.trafficPolicy.outlierDetection.consecutiveErrors' });
    expect(ds[0].message).toMatch(/ignored since Istio 1\.7/);
  });

  it('dr: an unknown enum value suggests the right one', () => {
    const ds = only(dr(`  host: reviews
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBN}}`));
    expect(ds[0].message).toMatch(/must be one of .*got "ROUND_ROBN" \(did you mean 'ROUND_ROBIN'\?\)/);
  });
});

describe('loadManifests', () => {
  it('loadManifests: a Service selecting nothing is only a warning here', () => {
    const files = memoryFiles({
      'a.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: ghost}\nspec:\n  selector: {app: ghost}\n  ports: [{port: 80, name: http}]\n',
    });
    const r = loadManifests(['a.yaml'], files);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'MSH0201', level: 'warning', path: 'spec.selector', source: { file: 'a.yaml', line: 5, col: 13 } });
  });

  it('loadManifests: a missing file is an InputError naming the path', () => {
    expect(() => loadManifests(['nope.yaml'], memoryFiles({}))).toThrow(/cannot read file 'nope.yaml': file not found/);
  });

  it('loadManifests: a later file replaces the same kind/namespace/name and keeps its order', () => {
    const files = memoryFiles({
      'a.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: y}\n',
      'b.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x, labels: {new: "yes"}}\n',
    });
    const r = loadManifests(['a.yaml', 'b.yaml'], files);
    expect(r.resources.map((x) => [x.meta.name, x.meta.order, x.meta.source.file])).toEqual([
      ['x', 0, 'b.yaml'],
      ['y', 1, 'a.yaml'],
    ]);
  });
});
