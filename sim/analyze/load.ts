/**
 * Loading for `validate`: what loadManifests does, minus the throw. A schema error in one file is a
 * finding to report next to the others, not a reason to stop; only input that cannot be read at
 * all (missing, not UTF-8, broken YAML) marks the load unreadable (exit 2).
 */
import { CODES } from '../config/codes.ts';
import type { FileSource } from '../config/file-source.ts';
import { checkServiceSelectors } from '../config/cross-checks.ts';
import { readManifestFiles, type ManifestOptions } from '../config/manifests.ts';
import type { DeploymentResource, Resource, ServiceResource } from '../config/types.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';

export interface ValidateLoad {
  resources: Resource[];
  diagnostics: Diagnostic[];
  /** Some input could not be read or parsed as YAML. */
  unreadable: boolean;
}

const UNREADABLE: ReadonlySet<string> = new Set([CODES.file, CODES.yaml, CODES.yamlData]);

export function loadForValidate(paths: readonly string[], files: FileSource, options: ManifestOptions = {}): ValidateLoad {
  const { resources, diagnostics, rejected } = readManifestFiles(paths, files, options);
  const services = resources.filter((r): r is ServiceResource => r.kind === 'Service');
  const deployments = resources.filter((r): r is DeploymentResource => r.kind === 'Deployment');
  // Manifests without any Deployment (a folder of routing rules) say nothing about endpoints.
  if (deployments.length > 0) diagnostics.push(...checkServiceSelectors(services, deployments, 'warning', rejected));
  return { resources, diagnostics, unreadable: diagnostics.some((d) => d.level === 'error' && UNREADABLE.has(d.code)) };
}
