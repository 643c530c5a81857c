/**
 * meshsim's full model of the reference workload B (shared/reference/perf-baseline.md): the same
 * Bookinfo topology, exponential service times and worker counts, Poisson arrivals at 480 req/s,
 * but with everything meshsim does per request — sidecars on both ends of every hop, Istio's
 * default retry policy, LEAST_REQUEST load balancing, network latency, metrics folds on.
 * Two differences from the bare model are inherent and stated: meshsim's apps hold a worker while
 * their downstream calls run (thread per request), so productpage gets 16 workers instead of 4
 * to stay stable; and the reviews version comes from the load balancer over the three reviews
 * pods, not from a uniform draw.
 */
import { readFileSync } from 'node:fs';
import { memoryFiles } from '../../sim/config/file-source.ts';
import { loadScenario } from '../../sim/config/index.ts';
import type { ResolvedScenario } from '../../sim/config/types.ts';

export const BENCH_RATE_PER_SEC = 480;

export function benchBookinfoText(requests: number, seed = 1): string {
  const seconds = requests / BENCH_RATE_PER_SEC;
  const exp = (ms: number) => `{distribution: exponential, mean: ${ms}ms}`;
  return `apiVersion: meshsim.dev/v1alpha1
kind: Scenario
metadata: {name: bench-bookinfo-${requests}}
spec:
  seed: ${seed}
  duration: ${Math.round(seconds * 1000)}ms
  budgets: {maxEvents: 2000000000, maxSimTime: ${Math.ceil(seconds + 60)}s}
  manifests: [platform.yaml]
  workloads:
    productpage-v1:
      serviceTime: ${exp(5)}
      concurrency: 16
      calls:
        - {url: "http://details:9080/details/0", timeout: 10s}
        - {url: "http://reviews:9080/reviews/0", timeout: 10s}
    details-v1: {serviceTime: ${exp(2)}, concurrency: 2}
    reviews-v1: {serviceTime: ${exp(4)}, concurrency: 2}
    reviews-v2:
      serviceTime: ${exp(4)}
      concurrency: 2
      calls: [{url: "http://ratings:9080/ratings/0", timeout: 10s}]
    reviews-v3:
      serviceTime: ${exp(4)}
      concurrency: 2
      calls: [{url: "http://ratings:9080/ratings/0", timeout: 10s}]
    ratings-v1: {serviceTime: ${exp(1)}, concurrency: 2}
  traffic:
    - {name: users, from: sleep, url: "http://productpage:9080/productpage", rate: ${BENCH_RATE_PER_SEC}/s}
`;
}

let platform: string | null = null;

/** The scenario for about `requests` client requests (Poisson, so the count varies by a few hundred). */
export function benchBookinfo(requests: number, seed = 1): ResolvedScenario {
  platform ??= readFileSync('scenarios/bookinfo/platform.yaml', 'utf8');
  return loadScenario('bench/scenario.yaml', memoryFiles({ 'bench/scenario.yaml': benchBookinfoText(requests, seed), 'bench/platform.yaml': platform }));
}
