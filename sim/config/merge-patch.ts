/**
 * JSON merge patch (RFC 7386), what `kubectl patch --type merge` applies: an object in the patch
 * merges key by key, `null` removes the key, anything else (arrays included) replaces the target.
 * Pure; the target is not modified.
 */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
