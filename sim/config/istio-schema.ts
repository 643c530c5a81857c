/**
 * zod schemas for the VirtualService and DestinationRule specs (networking.istio.io v1, v1beta1,
 * v1alpha3 share one proto): the shapes istiod's CRDs accept. They infer exactly the types in
 * istio-types.ts. The semantic checks of istiod's validating webhook are in istio-checks.ts.
 * SRC: istio/api networking/v1alpha3/*.proto.
 */
import { z } from 'zod';
import type { DestinationRuleSpec, VirtualServiceSpec } from './istio-types.ts';

const str = z.string();
const nonEmpty = z.string().min(1);
const int = z.number().int();
const strMap = z.record(z.string(), z.string());
const strList = z.array(z.string());

// ---- VirtualService ------------------------------------------------------------------------

const stringMatch = z.strictObject({ exact: str.optional(), prefix: str.optional(), regex: str.optional() });
const portSelector = z.strictObject({ number: int.optional() });
const destination = z.strictObject({ host: nonEmpty, subset: str.optional(), port: portSelector.optional() });
const headerOperations = z.strictObject({ set: strMap.optional(), add: strMap.optional(), remove: strList.optional() });
const headers = z.strictObject({ request: headerOperations.optional(), response: headerOperations.optional() });
const percent = z.strictObject({ value: z.number().optional() });
const stringMatchMap = z.record(z.string(), stringMatch);

const httpMatchRequest = z.strictObject({
  name: str.optional(),
  uri: stringMatch.optional(),
  scheme: stringMatch.optional(),
  method: stringMatch.optional(),
  authority: stringMatch.optional(),
  headers: stringMatchMap.optional(),
  port: int.optional(),
  sourceLabels: strMap.optional(),
  gateways: strList.optional(),
  queryParams: stringMatchMap.optional(),
  ignoreUriCase: z.boolean().optional(),
  withoutHeaders: stringMatchMap.optional(),
  sourceNamespace: str.optional(),
  statPrefix: str.optional(),
});

const httpRouteDestination = z.strictObject({ destination, weight: int.optional(), headers: headers.optional() });

const httpRedirect = z.strictObject({
  uri: str.optional(),
  authority: str.optional(),
  port: int.optional(),
  derivePort: z.enum(['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT']).optional(),
  scheme: str.optional(),
  redirectCode: int.optional(),
});

const httpDirectResponse = z.strictObject({
  status: int,
  body: z.strictObject({ string: str.optional(), bytes: str.optional() }).optional(),
});

const delegate = z.strictObject({ name: str.optional(), namespace: str.optional() });

const httpRewrite = z.strictObject({
  uri: str.optional(),
  authority: str.optional(),
  uriRegexRewrite: z.strictObject({ match: str.optional(), rewrite: str.optional() }).optional(),
});

const httpRetry = z.strictObject({
  attempts: int.optional(),
  perTryTimeout: str.optional(),
  retryOn: str.optional(),
  retryRemoteLocalities: z.boolean().optional(),
  retryIgnorePreviousHosts: z.boolean().optional(),
  backoff: str.optional(),
});

const httpFault = z.strictObject({
  delay: z
    .strictObject({
      fixedDelay: str.optional(),
      exponentialDelay: str.optional(),
      percentage: percent.optional(),
      percent: int.optional(),
    })
    .optional(),
  abort: z
    .strictObject({
      httpStatus: int.optional(),
      grpcStatus: str.optional(),
      http2Error: str.optional(),
      percentage: percent.optional(),
    })
    .optional(),
});

const mirrorPolicy = z.strictObject({ destination, percentage: percent.optional() });

const corsPolicy = z.strictObject({
  allowOrigins: z.array(stringMatch).optional(),
  allowOrigin: strList.optional(),
  allowMethods: strList.optional(),
  allowHeaders: strList.optional(),
  exposeHeaders: strList.optional(),
  maxAge: str.optional(),
  allowCredentials: z.boolean().optional(),
  unmatchedPreflights: str.optional(),
});

const httpRoute = z.strictObject({
  name: str.optional(),
  match: z.array(httpMatchRequest).optional(),
  route: z.array(httpRouteDestination).optional(),
  redirect: httpRedirect.optional(),
  directResponse: httpDirectResponse.optional(),
  delegate: delegate.optional(),
  rewrite: httpRewrite.optional(),
  timeout: str.optional(),
  retries: httpRetry.optional(),
  fault: httpFault.optional(),
  mirror: destination.optional(),
  mirrors: z.array(mirrorPolicy).optional(),
  mirrorPercentage: percent.optional(),
  mirrorPercent: int.optional(),
  corsPolicy: corsPolicy.optional(),
  headers: headers.optional(),
});

const l4MatchShape = {
  destinationSubnets: strList.optional(),
  port: int.optional(),
  sourceLabels: strMap.optional(),
  gateways: strList.optional(),
  sourceNamespace: str.optional(),
};
const l4Match = z.strictObject(l4MatchShape);
const tlsMatch = z.strictObject({ ...l4MatchShape, sniHosts: strList });
const routeDestination = z.strictObject({ destination, weight: int.optional() });
const tcpRoute = z.strictObject({ match: z.array(l4Match).optional(), route: z.array(routeDestination).optional() });
const tlsRoute = z.strictObject({ match: z.array(tlsMatch), route: z.array(routeDestination).optional() });

export const virtualServiceSpecSchema = z.strictObject({
  hosts: strList.optional(),
  gateways: strList.optional(),
  http: z.array(httpRoute).optional(),
  tls: z.array(tlsRoute).optional(),
  tcp: z.array(tcpRoute).optional(),
  exportTo: strList.optional(),
});

// ---- DestinationRule -----------------------------------------------------------------------

const simpleLb = z.enum(['UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST']);

const consistentHash = z.strictObject({
  httpHeaderName: str.optional(),
  httpCookie: z
    .strictObject({
      name: str,
      path: str.optional(),
      ttl: str.optional(),
      attributes: z.array(z.strictObject({ name: str, value: str.optional() })).optional(),
    })
    .optional(),
  useSourceIp: z.boolean().optional(),
  httpQueryParameterName: str.optional(),
  ringHash: z.strictObject({ minimumRingSize: int.optional() }).optional(),
  maglev: z.strictObject({ tableSize: int.optional() }).optional(),
  minimumRingSize: int.optional(),
});

const localityLbSetting = z.strictObject({
  distribute: z.array(z.strictObject({ from: str.optional(), to: z.record(z.string(), z.number()).optional() })).optional(),
  failover: z.array(z.strictObject({ from: str.optional(), to: str.optional() })).optional(),
  failoverPriority: strList.optional(),
  enabled: z.boolean().optional(),
});

const loadBalancer = z.strictObject({
  simple: simpleLb.optional(),
  consistentHash: consistentHash.optional(),
  localityLbSetting: localityLbSetting.optional(),
  warmupDurationSecs: str.optional(),
  warmup: z
    .strictObject({ duration: str.optional(), minimumPercent: z.number().optional(), aggression: z.number().optional() })
    .optional(),
});

const connectionPool = z.strictObject({
  tcp: z
    .strictObject({
      maxConnections: int.optional(),
      connectTimeout: str.optional(),
      tcpKeepalive: z.strictObject({ probes: int.optional(), time: str.optional(), interval: str.optional() }).optional(),
      maxConnectionDuration: str.optional(),
      idleTimeout: str.optional(),
    })
    .optional(),
  http: z
    .strictObject({
      http1MaxPendingRequests: int.optional(),
      http2MaxRequests: int.optional(),
      maxRequestsPerConnection: int.optional(),
      maxRetries: int.optional(),
      idleTimeout: str.optional(),
      h2UpgradePolicy: z.enum(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']).optional(),
      useClientProtocol: z.boolean().optional(),
      maxConcurrentStreams: int.optional(),
    })
    .optional(),
});

const outlierDetection = z.strictObject({
  splitExternalLocalOriginErrors: z.boolean().optional(),
  consecutiveLocalOriginFailures: int.optional(),
  consecutiveGatewayErrors: int.optional(),
  consecutive5xxErrors: int.optional(),
  consecutiveErrors: int.optional(),
  interval: str.optional(),
  baseEjectionTime: str.optional(),
  maxEjectionPercent: int.optional(),
  minHealthPercent: int.optional(),
});

const clientTls = z.strictObject({
  mode: z.enum(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']).optional(),
  clientCertificate: str.optional(),
  privateKey: str.optional(),
  caCertificates: str.optional(),
  credentialName: str.optional(),
  subjectAltNames: strList.optional(),
  sni: str.optional(),
  insecureSkipVerify: z.boolean().optional(),
});

const portTrafficPolicy = z.strictObject({
  port: portSelector.optional(),
  loadBalancer: loadBalancer.optional(),
  connectionPool: connectionPool.optional(),
  outlierDetection: outlierDetection.optional(),
  tls: clientTls.optional(),
});

const trafficPolicy = z.strictObject({
  loadBalancer: loadBalancer.optional(),
  connectionPool: connectionPool.optional(),
  outlierDetection: outlierDetection.optional(),
  tls: clientTls.optional(),
  portLevelSettings: z.array(portTrafficPolicy).optional(),
  tunnel: z.strictObject({ protocol: str.optional(), targetHost: str, targetPort: int }).optional(),
  proxyProtocol: z.strictObject({ version: z.enum(['V1', 'V2']).optional() }).optional(),
  retryBudget: z.strictObject({ percent: percent.optional(), minRetryConcurrency: int.optional() }).optional(),
});

const subset = z.strictObject({ name: nonEmpty, labels: strMap.optional(), trafficPolicy: trafficPolicy.optional() });

export const destinationRuleSpecSchema = z.strictObject({
  host: nonEmpty,
  trafficPolicy: trafficPolicy.optional(),
  subsets: z.array(subset).optional(),
  exportTo: strList.optional(),
  workloadSelector: z.strictObject({ matchLabels: strMap.optional() }).optional(),
});

// Compile-time proof that the schemas describe exactly the istio-types.ts interfaces.
// Mutual assignability alone misses an extra optional field, so keys are compared at every level.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? SameKeys<A, B> : false) : false;
type SameKeys<A, B> = A extends readonly (infer EA)[]
  ? B extends readonly (infer EB)[]
    ? Same<EA, EB>
    : false
  : A extends object
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? { [K in keyof A]-?: Same<NonNullable<A[K]>, NonNullable<B[K & keyof B]>> }[keyof A] extends true
          ? true
          : false
        : false
      : false
    : true;
const _vsSame: Same<z.infer<typeof virtualServiceSpecSchema>, VirtualServiceSpec> = true;
const _drSame: Same<z.infer<typeof destinationRuleSpecSchema>, DestinationRuleSpec> = true;
const _vsCheck: z.ZodType<VirtualServiceSpec> = virtualServiceSpecSchema;
const _drCheck: z.ZodType<DestinationRuleSpec> = destinationRuleSpecSchema;
void [_vsSame, _drSame, _vsCheck, _drCheck];
