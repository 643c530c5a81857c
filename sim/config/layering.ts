/**
 * Resources layered like successive `kubectl apply`s: same kind/namespace/name replaces the earlier
 * object (keeping its creation order), and a name defined twice in one layer is a warning.
 */
import type { Diagnostic } from '../domain/diagnostics.ts';
import { CODES } from './codes.ts';
import { resourceKey, resourceLabel, type Resource } from './types.ts';

/**
 * Layers `next` over `base`: same kind/namespace/name replaces the earlier resource in place and
 * keeps its `order` (an update keeps its creationTimestamp), otherwise appended.
 */
export function layerResources(base: readonly Resource[], next: readonly Resource[]): { resources: Resource[]; replaced: Resource[] } {
  const out = [...base];
  const at = new Map<string, number>();
  out.forEach((r, i) => at.set(resourceKey(r), i));
  const replaced: Resource[] = [];
  for (const r of next) {
    const key = resourceKey(r);
    const i = at.get(key);
    if (i === undefined) {
      at.set(key, out.length);
      out.push(r);
    } else {
      replaced.push(out[i]);
      r.meta.order = out[i].meta.order;
      out[i] = r;
    }
  }
  return { resources: out, replaced };
}

/** Warnings for kind/namespace/name defined twice in one layer (the later one wins, like kubectl apply). */
export function dedupeLayer(resources: readonly Resource[]): { resources: Resource[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const firstAt = new Map<string, Resource>();
  for (const r of resources) {
    const key = resourceKey(r);
    const prev = firstAt.get(key);
    if (prev) {
      diagnostics.push({
        code: CODES.duplicate,
        level: 'warning',
        resource: resourceLabel(r.meta.kind, r.meta.namespace, r.meta.name),
        message: `defined twice (first at ${prev.meta.source.file}:${prev.meta.source.line}); the later definition replaces the earlier one, like kubectl apply`,
        source: r.meta.source,
      });
    }
    firstAt.set(key, r);
  }
  return { resources: layerResources([], resources).resources, diagnostics };
}

/**
 * Each kind/namespace/name once, at the place it first appeared, as its latest definition: what
 * the run may ever see of it. Unlike layerResources, leaves every resource untouched.
 */
export function latestByKey(resources: readonly Resource[]): Resource[] {
  const out: Resource[] = [];
  const at = new Map<string, number>();
  for (const r of resources) {
    const key = resourceKey(r);
    const i = at.get(key);
    if (i === undefined) {
      at.set(key, out.length);
      out.push(r);
    } else out[i] = r;
  }
  return out;
}
