/**
 * Consistent-hash load balancing (istio-semantics.md §2.3; envoy ring_hash_lb.cc, maglev_lb.cc):
 * the request's key (header, cookie, source IP or query parameter) is hashed and looked up in a
 * table built over the cluster's healthy endpoints, so the same key keeps reaching the same pod.
 *
 * Hash: 32-bit FNV-1a over UTF-16 code units with murmur3's fmix32 finaliser — stable across
 * engines and well spread; Envoy uses xxHash64, so the exact host a key lands on differs from a real
 * Envoy while stickiness and balance behave the same.
 *
 * Ring hash: each host gets ceil(minimumRingSize / hosts) points hashed from "address_i"; a key
 * goes to the first point at or after its hash (wrapping). Maglev: a prime-size lookup table filled
 * by each host's (offset, skip) permutation in turn; a key goes to table[hash % size].
 * A request without a key gets a random table position, as Envoy does.
 */
import type { HashKey, HashPolicy } from '../control-plane/types.ts';
import type { Endpoint, RequestHead } from '../control-plane/types.ts';
import type { Rng } from '../engine/rng.ts';
import { queryParam } from '../control-plane/match.ts';

/** Stable 32-bit hash (FNV-1a + fmix32), as an unsigned integer. */
export function hash32(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The hash key of a request, or null when it carries none. `sourceIp` is the client pod's IP (or
 * the client name outside the mesh). A cookie policy with a ttl makes Envoy set the cookie from the
 * client address when absent, so that address is the key.
 */
export function hashKeyOf(key: HashKey, head: RequestHead, sourceIp: string): string | null {
  switch (key.kind) {
    case 'header':
      return head.headers.get(key.name) ?? null;
    case 'source-ip':
      return sourceIp;
    case 'query':
      return queryParam(head.query, key.name) ?? null;
    case 'cookie': {
      const v = cookieValue(head.headers.get('cookie'), key.name);
      if (v !== null) return v;
      return key.ttlUs !== null ? `generated:${sourceIp}` : null;
    }
  }
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** A lookup table over a fixed list of endpoint indexes. */
export interface HashTable {
  /** Endpoint index for a hash; `attempt` > 0 moves away as Envoy does when a retry predicate rejected the host. */
  pick(hash: number, attempt: number): number;
}

function hostKey(ep: Endpoint): string {
  return `${ep.pod.ip}:${ep.port}`;
}

export class RingHashTable implements HashTable {
  private readonly hashes: Uint32Array;
  private readonly hosts: Int32Array;

  constructor(endpoints: readonly Endpoint[], candidates: readonly number[], minRingSize: number) {
    const n = candidates.length;
    const perHost = Math.ceil(minRingSize / n);
    const entries: { h: number; host: number }[] = [];
    for (const idx of candidates) {
      const base = `${hostKey(endpoints[idx])}_`;
      for (let i = 0; i < perHost; i++) entries.push({ h: hash32(base + i), host: idx });
    }
    // Ties broken by host index so the ring never depends on sort stability.
    entries.sort((a, b) => a.h - b.h || a.host - b.host);
    this.hashes = Uint32Array.from(entries, (e) => e.h);
    this.hosts = Int32Array.from(entries, (e) => e.host);
  }

  pick(hash: number, attempt: number): number {
    const hs = this.hashes;
    // First point with hash >= key (Envoy: h <= ring[mid] && h > ring[mid-1]), wrapping to 0.
    let lo = 0;
    let hi = hs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hs[mid] < hash) lo = mid + 1;
      else hi = mid;
    }
    let at = lo === hs.length ? 0 : lo;
    if (attempt > 0) at = (at + attempt) % hs.length;
    return this.hosts[at];
  }

  get size(): number {
    return this.hashes.length;
  }
}

export class MaglevTable implements HashTable {
  private readonly table: Int32Array;

  constructor(endpoints: readonly Endpoint[], candidates: readonly number[], tableSize: number) {
    const m = tableSize;
    const table = new Int32Array(m).fill(-1);
    const offset: number[] = [];
    const skip: number[] = [];
    const next: number[] = [];
    for (const idx of candidates) {
      const k = hostKey(endpoints[idx]);
      offset.push(hash32(k) % m);
      skip.push((hash32(k, 1) % (m - 1)) + 1);
      next.push(0);
    }
    // Equal weights: every host takes the next free slot of its permutation in turn.
    let filled = 0;
    while (filled < m) {
      for (let i = 0; i < candidates.length && filled < m; i++) {
        let c = (offset[i] + skip[i] * next[i]) % m;
        while (table[c] >= 0) {
          next[i]++;
          c = (offset[i] + skip[i] * next[i]) % m;
        }
        table[c] = candidates[i];
        next[i]++;
        filled++;
      }
    }
    this.table = table;
  }

  pick(hash: number, attempt: number): number {
    // Envoy: hash ^= ~0 - attempt + 1 for retries that rejected the previous pick.
    const h = attempt > 0 ? (hash ^ ((0xffffffff - attempt + 1) >>> 0)) >>> 0 : hash;
    return this.table[h % this.table.length];
  }
}

/** Per (proxy, cluster) consistent-hash state; the table is rebuilt when endpoint health changes. */
export class HashLbState {
  private readonly policy: HashPolicy;
  private table: HashTable | null = null;
  private builtFor: readonly number[] | null = null;

  constructor(policy: HashPolicy) {
    this.policy = policy;
  }

  /**
   * Endpoint index for this request among `candidates` (healthy endpoint indexes), or -1 when
   * there is none. The table is rebuilt only when that list changes.
   */
  pick(endpoints: readonly Endpoint[], candidates: readonly number[], key: string | null, rng: Rng, attempt: number): number {
    if (candidates.length === 0) return -1;
    if (candidates !== this.builtFor && !sameList(candidates, this.builtFor)) {
      this.table =
        this.policy.table === 'maglev' ? new MaglevTable(endpoints, candidates, this.policy.size) : new RingHashTable(endpoints, candidates, this.policy.size);
    }
    this.builtFor = candidates;
    const hash = key === null ? rng.int(0x100000000) >>> 0 : hash32(key);
    return this.table!.pick(hash, attempt);
  }
}

/** Health changed somewhere in the mesh but not in this cluster: keep the table. */
function sameList(a: readonly number[], b: readonly number[] | null): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
