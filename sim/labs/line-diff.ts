/**
 * Unified-style line diff for `lab solve`: lab files are a few dozen lines, so a plain LCS table
 * (quadratic) is simpler than Myers and fast enough. Output lines start with ' ', '-' or '+'.
 */
const MAX_CELLS = 4_000_000;

export function lineDiff(before: string, after: string): string[] {
  const a = before.replace(/\n$/, '').split('\n');
  const b = after.replace(/\n$/, '').split('\n');
  if (a.length * b.length > MAX_CELLS) return [...a.map((l) => `-${l}`), ...b.map((l) => `+${l}`)];
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i]}`);
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push(`+${b[j]}`);
      j++;
    } else {
      out.push(`-${a[i]}`);
      i++;
    }
  }
  return out;
}

/** Only the changed lines with `context` unchanged lines around them; gaps become "…". */
export function compactDiff(lines: readonly string[], context = 2): string[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((l, k) => {
    if (l[0] === ' ') return;
    for (let d = -context; d <= context; d++) if (k + d >= 0 && k + d < lines.length) keep[k + d] = true;
  });
  const out: string[] = [];
  let gap = false;
  lines.forEach((l, k) => {
    if (keep[k]) {
      out.push(l);
      gap = false;
    } else if (!gap) {
      out.push(' …');
      gap = true;
    }
  });
  return out;
}
