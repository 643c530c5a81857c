// Envoy's regex_match_and_substitute (Istio uriRegexRewrite) is
// RE2::GlobalReplace(&path, regex, substitution). This file reproduces its
// rewrite-string rules (RE2::Rewrite / RE2::MaxSubmatch) exactly:
//   \0 .. \9  the whole match / capture group n ("" if the group did not take part)
//   \\        a literal backslash
//   anything else after a backslash is invalid; RE2 logs an error and stops
//   expanding that rewrite (the text expanded so far is kept).
// If the rewrite names a group the regex does not have, GlobalReplace makes
// no replacement at all and returns the input unchanged.

/** Highest \n referenced by the rewrite (RE2::MaxSubmatch). */
export function maxSubmatch(rewrite: string): number {
  let max = 0;
  for (let i = 0; i < rewrite.length; i++) {
    if (rewrite[i] !== '\\') continue;
    i++;
    const c = rewrite.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) max = Math.max(max, c - 0x30);
  }
  return max;
}

/**
 * Why RE2 would not apply this rewrite as written, or null if it is fine.
 * (Envoy does not reject these at config time; the rewrite silently misbehaves.)
 */
export function checkRewrite(rewrite: string, groupCount: number): string | null {
  for (let i = 0; i < rewrite.length; i++) {
    if (rewrite[i] !== '\\') continue;
    const c = rewrite[i + 1];
    if (c === undefined) return `rewrite ends with a lone backslash at offset ${i}; write \\\\ for a literal backslash`;
    if (c >= '0' && c <= '9') {
      if (Number(c) > groupCount) {
        return `rewrite references \\${c} at offset ${i} but the regex has only ${groupCount} capture group${groupCount === 1 ? '' : 's'}; RE2 then makes no replacement at all`;
      }
    } else if (c !== '\\') {
      return `invalid rewrite escape \\${c} at offset ${i}: only \\0-\\9 and \\\\ are allowed (RE2 stops expanding the rewrite there)`;
    }
    i++;
  }
  return null;
}

/** Appends the expansion of rewrite for one match (slots as produced by the VM). */
export function expandRewrite(rewrite: string, input: string, slots: Int32Array): string {
  let out = '';
  for (let i = 0; i < rewrite.length; i++) {
    const ch = rewrite[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    i++;
    const c = rewrite.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      const g = c - 0x30;
      const s = slots[2 * g];
      const e = slots[2 * g + 1];
      if (s >= 0 && e >= 0) out += input.slice(s, e);
    } else if (c === 0x5c) {
      out += '\\';
    } else {
      break; // RE2::Rewrite fails here; GlobalReplace keeps what was appended
    }
  }
  return out;
}
