/**
 * Route coverage (after Envoy's router_check_tool `--covall` / `--fail-under`): which
 * VirtualService http rules, and which match blocks inside them, a run exercised. Rules come from
 * the `route` field of upstream events (first attempts only, so retries do not count twice); match
 * blocks from `route.match` provenance events, which the run emits when asked for detail.
 *
 * An item is one match block of a rule, or the rule itself when it has at most one block (then
 * a hit on the rule is a hit on the block). Without provenance events the blocks of a rule with
 * several cannot be told apart; such a rule then counts as one item and the report says so.
 */
import type { Resource, ResolvedScenario } from '../config/types.ts';
import type { TraceEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';

export interface CoverageRule {
  virtualService: string;
  rule: number;
  /** Rule name, "" when unnamed. */
  name: string;
  /** Match blocks of the rule (0 = catch-all). */
  matchBlocks: number;
  /** First attempts this rule routed. */
  hits: number;
  /** Hits per match block, when provenance events told them apart; null otherwise. */
  blockHits: number[] | null;
}

export interface CoverageReport {
  rules: CoverageRule[];
  /** Items exercised and in total (see the module comment). */
  covered: number;
  total: number;
  /** covered / total as a percentage; 100 when there is nothing to cover. */
  percent: number;
  /** Whether match blocks were attributed (the run emitted route.match events). */
  blocksAttributed: boolean;
}

interface RuleShape {
  name: string;
  matchBlocks: number;
}

/**
 * Every http rule any VirtualService of the run ever has (t=0 and timeline applies), by "ns/name".
 * A VirtualService replaced by the timeline keeps the union of its rule indexes; names and match
 * blocks come from the latest definition that has the index.
 */
export function virtualServiceRules(s: Pick<ResolvedScenario, 'resources' | 'timeline'>): Map<string, RuleShape[]> {
  const out = new Map<string, RuleShape[]>();
  const add = (r: Resource): void => {
    if (r.kind !== 'VirtualService') return;
    const key = `${r.meta.namespace}/${r.meta.name}`;
    const rules = out.get(key) ?? [];
    (r.spec.http ?? []).forEach((h, i) => {
      rules[i] = { name: h.name ?? '', matchBlocks: h.match?.length ?? 0 };
    });
    out.set(key, rules);
  };
  for (const r of s.resources) add(r);
  for (const a of s.timeline) if (a.kind === 'apply' || a.kind === 'patch') for (const r of a.resources) add(r);
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export class CoverageFold implements TraceSink {
  private readonly ruleHits = new Map<string, number>();
  private readonly blockHits = new Map<string, number>();
  private sawMatchEvents = false;

  write(ev: TraceEvent): void {
    if (ev.kind === 'upstream') {
      if (ev.route !== null && ev.attempt === 1) this.ruleHits.set(ev.route, (this.ruleHits.get(ev.route) ?? 0) + 1);
    } else if (ev.kind === 'route.match') {
      this.sawMatchEvents = true;
      if (ev.virtualService !== null && ev.rule >= 0 && ev.match >= 0) {
        const k = `${ev.virtualService}#${ev.rule}#${ev.match}`;
        this.blockHits.set(k, (this.blockHits.get(k) ?? 0) + 1);
      }
    }
  }

  /** Merges another run's hits (e.g. the other seeds of `check --seeds`). */
  merge(other: CoverageFold): void {
    for (const [k, v] of other.ruleHits) this.ruleHits.set(k, (this.ruleHits.get(k) ?? 0) + v);
    for (const [k, v] of other.blockHits) this.blockHits.set(k, (this.blockHits.get(k) ?? 0) + v);
    this.sawMatchEvents ||= other.sawMatchEvents;
  }

  report(shapes: ReadonlyMap<string, readonly RuleShape[]>): CoverageReport {
    const rules: CoverageRule[] = [];
    let covered = 0;
    let total = 0;
    for (const [vs, list] of shapes) {
      list.forEach((shape, i) => {
        if (!shape) return;
        const hits = this.ruleHits.get(`${vs}#${i}`) ?? 0;
        const split = shape.matchBlocks > 1 && this.sawMatchEvents;
        const blockHits = split ? Array.from({ length: shape.matchBlocks }, (_, m) => this.blockHits.get(`${vs}#${i}#${m}`) ?? 0) : null;
        if (blockHits) {
          total += blockHits.length;
          covered += blockHits.filter((h) => h > 0).length;
        } else {
          total += 1;
          if (hits > 0) covered += 1;
        }
        rules.push({ virtualService: vs, rule: i, name: shape.name, matchBlocks: shape.matchBlocks, hits, blockHits });
      });
    }
    const percent = total === 0 ? 100 : Math.round((covered / total) * 1000) / 10;
    return { rules, covered, total, percent, blocksAttributed: this.sawMatchEvents };
  }
}
