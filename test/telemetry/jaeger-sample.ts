/**
 * A trace in the shape the Jaeger query service answers `/api/traces/{id}` with and the Jaeger UI
 * reads from a JSON file (fields as in jaeger-ui's `types/trace`: traceID, spans[] with spanID,
 * flags, operationName, references[] {refType, traceID, spanID}, startTime and duration in µs,
 * tags[] {key, type, value}, logs, processID, warnings; processes {pN: {serviceName, tags}}).
 * Hand-written from that schema, with the values of a two-span Istio trace.
 */
export const JAEGER_SAMPLE = {
  data: [
    {
      traceID: '9bfe8376688e9116d9cbae28c0aa2db6',
      spans: [
        {
          traceID: '9bfe8376688e9116d9cbae28c0aa2db6',
          spanID: '9b321d76f92134d2',
          flags: 1,
          operationName: 'productpage.default.svc.cluster.local:9080/productpage',
          references: [],
          startTime: 1729181197748657,
          duration: 1503,
          tags: [
            { key: 'http.status_code', type: 'int64', value: 200 },
            { key: 'upstream_cluster', type: 'string', value: 'inbound|9080||' },
          ],
          logs: [],
          processID: 'p1',
          warnings: null,
        },
        {
          traceID: '9bfe8376688e9116d9cbae28c0aa2db6',
          spanID: '4c6a2e0ab8d3f1e7',
          flags: 1,
          operationName: 'reviews.default.svc.cluster.local:9080/*',
          references: [{ refType: 'CHILD_OF', traceID: '9bfe8376688e9116d9cbae28c0aa2db6', spanID: '9b321d76f92134d2' }],
          startTime: 1729181197748900,
          duration: 980,
          tags: [
            { key: 'http.status_code', type: 'int64', value: 200 },
            { key: 'upstream_cluster', type: 'string', value: 'outbound|9080|v1|reviews.default.svc.cluster.local' },
          ],
          logs: [],
          processID: 'p2',
          warnings: null,
        },
      ],
      processes: {
        p1: { serviceName: 'productpage.default', tags: [{ key: 'istio.version', type: 'string', value: '1.28.0' }] },
        p2: { serviceName: 'productpage.default', tags: [{ key: 'istio.version', type: 'string', value: '1.28.0' }] },
      },
      warnings: null,
    },
  ],
  total: 0,
  limit: 0,
  offset: 0,
  errors: null,
};
