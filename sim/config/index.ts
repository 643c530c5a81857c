/**
 * sim/config public API: load manifests and scenarios into a ResolvedScenario.
 */
export { loadScenario, parseScenarioText, defaultBehaviour, DEFAULT_BUDGETS, DEFAULT_DURATION_US, DEFAULT_LATENCY, DEFAULT_SEED, DEFAULT_SERVICE_TIME } from './scenario.ts';
export type { ScenarioOverrides, ScenarioParse } from './scenario.ts';
export { loadManifests, parseManifestText } from './manifests.ts';
export { layerResources } from './layering.ts';
export { resourceLabel } from './types.ts';
export type { ManifestOptions } from './manifests.ts';
export { defaultProfile, DEFAULT_ISTIO_VERSION } from './profile.ts';
export { scenarioJsonSchema, scenarioSchema } from './scenario-schema.ts';
export { virtualServiceSpecSchema, destinationRuleSpecSchema } from './istio-schema.ts';
export { parseRate, parsePercent, parseComparison, parseUrl, parseIstioVersion, fnv1a64 } from './units.ts';
export { formatPath, appendPath } from './yaml-source.ts';
export type { PathSeg } from './yaml-source.ts';
export { CODES } from './codes.ts';
export { memoryFiles, joinPath, dirname, normalizePath } from './file-source.ts';
export type { FileSource, FileRead } from './file-source.ts';
export * from './types.ts';
export type * from './istio-types.ts';
