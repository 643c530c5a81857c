/**
 * `always` and `eventually` over time buckets. The window is cut into buckets of equal width from
 * its start; each bucket that has data is judged on its own data:
 * - always: every bucket with data passes (and at least one has data);
 * - eventually: there is a bucket from which on every bucket with data passes — equivalently the
 *   last bucket with data passes; the verdict names the earliest such bucket ("holds from 35s").
 * Buckets without data are skipped, so a pause in traffic neither passes nor breaks a check.
 * Statistical checks share their error budget over the buckets with data (Bonferroni), so the
 * stated confidence holds for the whole verdict, not per bucket.
 */
import type { ExpectationTemporal } from '../config/types.ts';
import { secondsText } from './format.ts';
import type { Judgement } from './judge.ts';

export interface BucketVerdict {
  fromUs: number;
  toUs: number;
  passed: boolean;
  detail: string;
}

export interface TemporalJudgement extends Judgement {
  buckets: BucketVerdict[];
}

export function judgeOverTime<T>(
  temporal: ExpectationTemporal,
  originUs: number,
  buckets: ReadonlyMap<number, T>,
  judgeBucket: (data: T, tests: number) => Judgement,
): TemporalJudgement {
  const indexes = [...buckets.keys()].sort((a, b) => a - b);
  const width = temporal.bucketUs;
  const tests = indexes.length;
  const verdicts: BucketVerdict[] = indexes.map((i) => {
    const j = judgeBucket(buckets.get(i)!, tests);
    return { fromUs: originUs + i * width, toUs: originUs + (i + 1) * width, passed: j.passed, detail: j.detail };
  });
  const span = (b: BucketVerdict): string => `[${secondsText(b.fromUs)}, ${secondsText(b.toUs)})`;
  const of = `${verdicts.length} bucket${verdicts.length === 1 ? '' : 's'} of ${secondsText(width)} with data`;
  if (verdicts.length === 0) return { passed: false, detail: 'no requests in scope, so nothing to judge', observed: { buckets: 0 }, buckets: [] };

  const failed = verdicts.filter((b) => !b.passed);
  if (temporal.mode === 'always') {
    if (failed.length === 0) {
      const last = verdicts[verdicts.length - 1];
      return { passed: true, detail: `always: holds in all ${of}; last ${span(last)}: ${last.detail}`, observed: { buckets: verdicts.length, failedBuckets: 0 }, buckets: verdicts };
    }
    const first = failed[0];
    return {
      passed: false,
      detail: `always: fails in ${failed.length} of ${of}; first ${span(first)}: ${first.detail}`,
      observed: { buckets: verdicts.length, failedBuckets: failed.length, firstFailureUs: first.fromUs },
      buckets: verdicts,
    };
  }
  const last = verdicts[verdicts.length - 1];
  if (!last.passed) {
    return {
      passed: false,
      detail: `eventually: does not hold at the end; last of ${of} ${span(last)}: ${last.detail}`,
      observed: { buckets: verdicts.length, failedBuckets: failed.length },
      buckets: verdicts,
    };
  }
  let settled = verdicts.length - 1;
  while (settled > 0 && verdicts[settled - 1].passed) settled--;
  const from = verdicts[settled];
  return {
    passed: true,
    detail: `eventually: holds from ${secondsText(from.fromUs)} on (${verdicts.length - settled} of ${of}); last ${span(last)}: ${last.detail}`,
    observed: { buckets: verdicts.length, failedBuckets: failed.length, settledUs: from.fromUs },
    buckets: verdicts,
  };
}
