/**
 * Kubernetes and Istio manifests → Resource[] with positions and diagnostics.
 */
import type { Diagnostic, DiagnosticLevel, SourceLocation } from '../domain/diagnostics.ts';
import { hasErrors, InputError } from '../domain/diagnostics.ts';
import { CODES } from './codes.ts';
import { checkDelegates, checkServiceSelectors } from './cross-checks.ts';
import { dedupeLayer } from './layering.ts';
import type { FileSource } from './file-source.ts';
import { validateDestinationRuleSpec, validateVirtualServiceSpec } from './istio-checks.ts';
import { destinationRuleSpecSchema, virtualServiceSpecSchema } from './istio-schema.ts';
import { blockingIssuePaths, describeValue, issuesToDiagnostics } from './issues.ts';
import { SECURITY_KINDS, type ExtraKind } from './security-schema.ts';
import { GATEWAY_KINDS } from './gateway-schema.ts';
import { SERVICE_ENTRY_KINDS } from './service-entry-schema.ts';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, deploymentSchema, metadataSchema, namespaceSchema, serviceAccountSchema, serviceSchema } from './k8s-schema.ts';
import { z as zod } from 'zod';
import { defaultProfile } from './profile.ts';
import { didYouMean, listNames } from './suggest.ts';
import type {
  ContainerPort,
  DeploymentResource,
  DestinationRuleResource,
  Resource,
  ResourceMeta,
  SemanticsProfile,
  ServicePort,
  ServiceResource,
  VirtualServiceResource,
} from './types.ts';
import { resourceLabel } from './types.ts';
import { formatPath, locate, locateKey, parseYamlDocuments, subIndex } from './yaml-source.ts';
import type { Emit, PathSeg, PosIndex, YamlDoc } from './yaml-source.ts';

export interface ManifestOptions {
  /** Semantics profile for version-dependent validation (weights summing to 100). Default: current Istio. */
  profile?: SemanticsProfile;
}

/** A document somewhere inside a YAML file: the whole document, a List item, or an inline scenario resource. */
export interface LocatedValue {
  value: unknown;
  doc: YamlDoc;
  base: PathSeg[];
}

/** A resource that was named but rejected; later reference checks do not pile on. */
export interface RejectedRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface ParsedResources {
  resources: Resource[];
  diagnostics: Diagnostic[];
  rejected: RejectedRef[];
}

const NETWORKING_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'];
const OTHER_ISTIO_GROUPS: Record<string, string[]> = {
  'networking.istio.io': ['Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry', 'WorkloadGroup', 'EnvoyFilter', 'ProxyConfig'],
  'security.istio.io': ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'],
  'telemetry.istio.io': ['Telemetry'],
  'extensions.istio.io': ['WasmPlugin'],
};
const CORE_KINDS: Record<string, string> = {
  Namespace: 'v1',
  Service: 'v1',
  ServiceAccount: 'v1',
  Deployment: 'apps/v1',
};
const CLUSTER_SCOPED = new Set(['Namespace']);

export const DEFAULT_NAMESPACE = 'default';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Namespace a resource of `kind` lives in when metadata.namespace is absent. */
export function namespaceFor(kind: string, given: string | undefined): string {
  return CLUSTER_SCOPED.has(kind) ? '' : (given ?? DEFAULT_NAMESPACE);
}

class Ctx {
  readonly diagnostics: Diagnostic[] = [];
  readonly resources: Resource[] = [];
  readonly rejected: RejectedRef[] = [];
  constructor(
    public order: number,
    readonly profile: SemanticsProfile,
  ) {}
}

function diag(code: string, level: DiagnosticLevel, resource: string, message: string, source: SourceLocation | null, path?: string): Diagnostic {
  const d: Diagnostic = { code, level, resource, message, source };
  if (path !== undefined && path !== '') d.path = path;
  return d;
}

/** Parses one document (expanding `kind: List`). */
function parseLocated(loc: LocatedValue, ctx: Ctx): void {
  const index = subIndex(loc.doc, loc.base);
  const at = (segs: PathSeg[]): SourceLocation | null => locate(index, segs);
  const { value } = loc;
  if (!isRecord(value)) {
    ctx.diagnostics.push(diag(CODES.notAnObject, 'error', '', `a manifest document must be a mapping with apiVersion, kind and metadata, got ${describeValue(value)}`, at([])));
    return;
  }
  const { apiVersion, kind } = value;
  if (typeof kind !== 'string' || kind === '') {
    ctx.diagnostics.push(diag(CODES.notAnObject, 'error', '', kind === undefined ? "missing required field 'kind'" : `kind must be a string, got ${describeValue(kind)}`, at(['kind']), 'kind'));
    return;
  }
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    ctx.diagnostics.push(diag(CODES.notAnObject, 'error', kind, apiVersion === undefined ? "missing required field 'apiVersion'" : `apiVersion must be a string, got ${describeValue(apiVersion)}`, at(['apiVersion']), 'apiVersion'));
    return;
  }
  if (kind === 'List' || kind.endsWith('List')) {
    const items = value.items;
    if (!Array.isArray(items)) {
      ctx.diagnostics.push(diag(CODES.notAnObject, 'error', kind, "a List needs 'items' (a list of manifests)", at(['items']), 'items'));
      return;
    }
    items.forEach((item, i) => parseLocated({ value: item, doc: loc.doc, base: [...loc.base, 'items', i] }, ctx));
    return;
  }
  parseObject(value, kind, apiVersion, index, loc.doc.file, ctx);
}

type Handler =
  | { kind: 'core'; schema: zod.ZodType; code: string }
  | { kind: 'istio'; which: 'VirtualService' | 'DestinationRule' }
  | { kind: 'other' }
  /** Kinds modelled in their own schema files (security-schema.ts, …). */
  | { kind: 'extra'; extra: ExtraKind }
  | { kind: 'unknown'; message: string }
  /** A meshsim Scenario document: skipped, `meshsim check` is its tool. */
  | { kind: 'scenario' };

/** Kinds with a schema outside this file, by kind name. */
const EXTRA_KINDS: Record<string, ExtraKind> = { ...SECURITY_KINDS, ...GATEWAY_KINDS, ...SERVICE_ENTRY_KINDS };

function handlerFor(kind: string, apiVersion: string): Handler {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  // A meshsim scenario found next to manifests (`validate scenarios/`) is not a manifest to check.
  if (kind === 'Scenario' && group === 'meshsim.dev') return { kind: 'scenario' };
  if (kind in CORE_KINDS) {
    const want = CORE_KINDS[kind];
    if (apiVersion !== want) return { kind: 'unknown', message: `apiVersion '${apiVersion}' of ${kind} is not supported (use ${want}); the document is ignored` };
    const schema = kind === 'Namespace' ? namespaceSchema : kind === 'Service' ? serviceSchema : kind === 'ServiceAccount' ? serviceAccountSchema : deploymentSchema;
    return { kind: 'core', schema, code: CODES.kubernetes };
  }
  if (kind === 'VirtualService' || kind === 'DestinationRule') {
    if (group !== 'networking.istio.io' || !NETWORKING_VERSIONS.includes(version)) {
      return {
        kind: 'unknown',
        message: `apiVersion '${apiVersion}' of ${kind} is not known (use networking.istio.io/v1, v1beta1 or v1alpha3); the document is ignored`,
      };
    }
    return { kind: 'istio', which: kind };
  }
  const extra = Object.hasOwn(EXTRA_KINDS, kind) ? EXTRA_KINDS[kind] : undefined;
  if (extra && extra.group === group) {
    if (!extra.versions.includes(version)) {
      return { kind: 'unknown', message: `apiVersion '${apiVersion}' of ${kind} is not known (use ${extra.versions.map((v) => `${group}/${v}`).join(' or ')}); the document is ignored` };
    }
    return { kind: 'extra', extra };
  }
  const groupKinds = OTHER_ISTIO_GROUPS[group];
  if (groupKinds?.includes(kind)) return { kind: 'other' };
  if (groupKinds) {
    return { kind: 'unknown', message: `kind ${kind} is not a known ${group} kind${didYouMean(kind, groupKinds)}; the document is ignored` };
  }
  const all = [...Object.keys(CORE_KINDS), 'VirtualService', 'DestinationRule', ...Object.values(OTHER_ISTIO_GROUPS).flat()];
  return { kind: 'unknown', message: `kind ${kind} (${apiVersion}) is not used by meshsim${didYouMean(kind, all)}; the document is ignored` };
}

function strRecord(v: unknown): Record<string, string> {
  return isRecord(v) ? (v as Record<string, string>) : {};
}

function parseObject(value: Record<string, unknown>, kind: string, apiVersion: string, index: PosIndex, file: string, ctx: Ctx): void {
  const handler = handlerFor(kind, apiVersion);
  const at = (segs: PathSeg[]): SourceLocation | null => locate(index, segs);
  const rawMeta = isRecord(value.metadata) ? value.metadata : {};
  const rawName = typeof rawMeta.name === 'string' ? rawMeta.name : '';
  const rawNs = namespaceFor(kind, typeof rawMeta.namespace === 'string' ? rawMeta.namespace : undefined);
  const label = resourceLabel(kind, rawNs, rawName || '<unnamed>');

  if (handler.kind === 'unknown') {
    ctx.diagnostics.push(diag(CODES.unknownKind, 'warning', label, handler.message, locateKey(index, ['kind']), 'kind'));
    return;
  }
  if (handler.kind === 'scenario') return;

  const before = ctx.diagnostics.length;
  const code = handler.kind === 'core' ? handler.code : CODES.istioSchema;
  const emitIssues = (issues: readonly zod.core.$ZodIssue[], schema: unknown): boolean => {
    ctx.diagnostics.push(...issuesToDiagnostics(issues, { resource: label, index, base: [], schema, code }));
    return blockingIssuePaths(issues).length > 0;
  };
  let blocked = false;

  // Envelope and metadata.
  let envelopeSchema: zod.ZodType;
  let specSchema: zod.ZodType | null = null;
  if (handler.kind === 'core') envelopeSchema = handler.schema;
  else if (handler.kind === 'istio') {
    specSchema = handler.which === 'VirtualService' ? virtualServiceSpecSchema : destinationRuleSpecSchema;
    envelopeSchema = zod.strictObject({ apiVersion: zod.string(), kind: zod.string(), metadata: metadataSchema, spec: specSchema, status: zod.unknown().optional() });
  } else if (handler.kind === 'extra') {
    envelopeSchema = zod.strictObject({ apiVersion: zod.string(), kind: zod.string(), metadata: metadataSchema, spec: handler.extra.spec.optional(), status: zod.unknown().optional() });
  } else {
    envelopeSchema = zod.looseObject({ metadata: metadataSchema });
  }
  const parsed = envelopeSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) blocked = emitIssues(parsed.error.issues, envelopeSchema) || blocked;

  if (rawName && !DNS1123_SUBDOMAIN.test(rawName)) {
    ctx.diagnostics.push(
      diag(code, 'error', label, `metadata.name '${rawName}' is not a valid Kubernetes name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`, at(['metadata', 'name']), 'metadata.name'),
    );
    blocked = true;
  }
  if (typeof rawMeta.namespace === 'string' && rawMeta.namespace !== '' && !DNS1123_LABEL.test(rawMeta.namespace)) {
    ctx.diagnostics.push(diag(code, 'error', label, `metadata.namespace '${rawMeta.namespace}' is not a valid namespace name`, at(['metadata', 'namespace']), 'metadata.namespace'));
    blocked = true;
  }

  if (blocked || !parsed.success) {
    if (rawName) ctx.rejected.push({ kind, namespace: rawNs, name: rawName });
    return;
  }

  const meta: ResourceMeta = {
    kind,
    apiVersion,
    namespace: rawNs,
    name: rawName,
    labels: strRecord(rawMeta.labels),
    annotations: strRecord(rawMeta.annotations),
    source: locateKey(index, ['kind']) ?? at([]) ?? { file, line: 1, col: 1 },
    order: 0,
    positions: index.values,
  };
  const emit = (path: PathSeg[], message: string, level: DiagnosticLevel = 'error'): void => {
    ctx.diagnostics.push(diag(code, level, label, message, at(path), formatPath(path)));
  };

  let resource: Resource | null = null;
  if (handler.kind === 'istio') {
    if (handler.which === 'VirtualService') {
      const spec = (parsed.data as { spec: VirtualServiceResource['spec'] }).spec;
      validateVirtualServiceSpec(spec, emit, ctx.profile);
      resource = { kind: 'VirtualService', meta, spec };
    } else {
      const spec = (parsed.data as { spec: DestinationRuleResource['spec'] }).spec;
      validateDestinationRuleSpec(spec, emit);
      resource = { kind: 'DestinationRule', meta, spec };
    }
  } else if (handler.kind === 'extra') {
    resource = handler.extra.build((parsed.data as { spec?: unknown }).spec ?? {}, meta, emit);
  } else if (handler.kind === 'other') {
    ctx.diagnostics.push(diag(CODES.notSimulated, 'warning', label, `kind ${kind} is loaded but not simulated yet`, meta.source, 'kind'));
    resource = { kind: 'Other', meta, spec: value.spec ?? null };
  } else if (kind === 'Namespace') {
    resource = { kind: 'Namespace', meta };
  } else if (kind === 'ServiceAccount') {
    resource = { kind: 'ServiceAccount', meta };
  } else if (kind === 'Service') {
    resource = buildService(parsed.data as zod.infer<typeof serviceSchema>, meta, emit);
  } else if (kind === 'Deployment') {
    resource = buildDeployment(parsed.data as zod.infer<typeof deploymentSchema>, meta, emit);
  }

  const failed = ctx.diagnostics.slice(before).some((d) => d.level === 'error');
  if (failed || !resource) {
    ctx.rejected.push({ kind, namespace: rawNs, name: rawName });
    return;
  }
  meta.order = ctx.order++;
  ctx.resources.push(resource);
}

function buildService(data: zod.infer<typeof serviceSchema>, meta: ResourceMeta, emit: Emit): ServiceResource {
  const rawPorts = data.spec.ports ?? [];
  const ports: ServicePort[] = rawPorts.map((p) => {
    const port: ServicePort = { name: p.name ?? '', port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol ?? 'TCP' };
    if (p.appProtocol !== undefined) port.appProtocol = p.appProtocol;
    return port;
  });
  if (ports.length > 1) {
    const seen = new Map<string, number>();
    ports.forEach((p, i) => {
      if (p.name === '') emit(['spec', 'ports', i], 'when a Service has more than one port, every port needs a name');
      else if (seen.has(p.name)) emit(['spec', 'ports', i, 'name'], `duplicate port name '${p.name}' (also ports[${seen.get(p.name)}])`);
      else seen.set(p.name, i);
    });
  }
  const seenPorts = new Map<string, number>();
  ports.forEach((p, i) => {
    const key = `${p.port}/${p.protocol}`;
    if (seenPorts.has(key)) emit(['spec', 'ports', i, 'port'], `duplicate port ${p.port}/${p.protocol} (also ports[${seenPorts.get(key)}])`);
    else seenPorts.set(key, i);
  });
  return { kind: 'Service', meta, selector: data.spec.selector ?? {}, ports };
}

function buildDeployment(data: zod.infer<typeof deploymentSchema>, meta: ResourceMeta, emit: Emit): DeploymentResource {
  const spec = data.spec;
  const selector = spec.selector.matchLabels ?? {};
  const podLabels = spec.template.metadata?.labels ?? {};
  if (spec.selector.matchExpressions && spec.selector.matchExpressions.length > 0) {
    emit(['spec', 'selector', 'matchExpressions'], 'matchExpressions are not simulated; only matchLabels select pods', 'warning');
  } else if (Object.keys(selector).length === 0) {
    emit(['spec', 'selector'], 'spec.selector.matchLabels must not be empty in apps/v1');
  }
  for (const [k, v] of Object.entries(selector)) {
    if (podLabels[k] !== v) {
      emit(['spec', 'selector', 'matchLabels', k], `selector ${k}=${v} does not match the pod template labels (spec.template.metadata.labels must include every matchLabels entry)`);
    }
  }
  const containerPorts: ContainerPort[] = [];
  for (const c of spec.template.spec.containers) {
    for (const p of c.ports ?? []) {
      const cp: ContainerPort = { containerPort: p.containerPort };
      if (p.name !== undefined) cp.name = p.name;
      containerPorts.push(cp);
    }
  }
  const templateSpec = spec.template.spec;
  const locality = podLocality(podLabels, templateSpec.nodeSelector ?? {}, emit);
  return {
    kind: 'Deployment',
    meta,
    replicas: spec.replicas ?? 1,
    selector,
    podLabels,
    podAnnotations: spec.template.metadata?.annotations ?? {},
    serviceAccount: templateSpec.serviceAccountName ?? templateSpec.serviceAccount ?? 'default',
    containerPorts,
    ...(locality ? { locality } : {}),
  };
}

/** Pod label Istio reads a pod's locality from, "region.zone.subzone" (dots: labels cannot hold '/'). */
const ISTIO_LOCALITY_LABEL = 'istio-locality';
const TOPOLOGY_KEYS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'] as const;

/**
 * A pod's locality (istio-semantics.md §2.6). Istio takes the pod label `istio-locality` if present,
 * else its node's topology labels; meshsim has no nodes, so `spec.template.spec.nodeSelector` with
 * the same topology keys stands in for them (the scheduler would only place the pod on such a node).
 */
function podLocality(labels: Record<string, string>, nodeSelector: Record<string, string>, emit: Emit): DeploymentResource['locality'] {
  const label = labels[ISTIO_LOCALITY_LABEL];
  if (label !== undefined) {
    const parts = label.split('.');
    const where = ['spec', 'template', 'metadata', 'labels', ISTIO_LOCALITY_LABEL];
    if (parts.length > 3 || parts.some((p) => p === '')) {
      emit(where, `istio-locality '${label}' should be 'region', 'region.zone' or 'region.zone.subzone' (dots stand for '/'); extra or empty parts are ignored`, 'warning');
    }
    return parts[0] === '' ? null : { region: parts[0], zone: parts[1] ?? '', subzone: parts[2] ?? '' };
  }
  const [region = '', zone = '', subzone = ''] = TOPOLOGY_KEYS.map((k) => nodeSelector[k]);
  if (region === '' && (zone !== '' || subzone !== '')) {
    emit(['spec', 'template', 'spec', 'nodeSelector'], `nodeSelector sets a zone or subzone without ${TOPOLOGY_KEYS[0]}; the pod gets no locality`, 'warning');
    return null;
  }
  return region === '' ? null : { region, zone, subzone };
}

/** Parses resources out of already-parsed YAML documents. */
export function parseLocatedResources(values: LocatedValue[], startOrder: number, options: ManifestOptions = {}): ParsedResources {
  const ctx = new Ctx(startOrder, options.profile ?? defaultProfile());
  for (const v of values) parseLocated(v, ctx);
  return { resources: ctx.resources, diagnostics: ctx.diagnostics, rejected: ctx.rejected };
}

/** Parses a manifest text (one or more YAML documents) without throwing. */
export function parseManifestText(text: string, file: string, startOrder = 0, options: ManifestOptions = {}): ParsedResources {
  const y = parseYamlDocuments(text, file);
  const parsed = parseLocatedResources(
    y.docs.map((doc) => ({ value: doc.value, doc, base: [] })),
    startOrder,
    options,
  );
  return { resources: parsed.resources, diagnostics: [...y.diagnostics, ...parsed.diagnostics], rejected: parsed.rejected };
}

/** Message for a file that cannot be read. */
export function fileProblem(path: string, read: { reason: string; message?: string }, what = 'file'): string {
  const why =
    read.reason === 'missing'
      ? 'file not found'
      : read.reason === 'not-utf8'
        ? 'file is not valid UTF-8 text'
        : read.reason === 'too-large'
          ? 'file is larger than the 10 MiB limit'
          : read.reason === 'is-directory'
            ? 'it is a directory, not a file'
            : read.reason === 'outside-root'
              ? 'path is outside the allowed folder'
              : read.reason;
  return `cannot read ${what} '${path}': ${why}${read.message ? ` (${read.message})` : ''}`;
}

/**
 * Orders diagnostics for people: by file (in the order files were first mentioned), then line and
 * column; diagnostics without a position keep their place after the positioned ones. Stable.
 */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  const fileRank = new Map<string, number>();
  for (const d of ds) if (d.source && !fileRank.has(d.source.file)) fileRank.set(d.source.file, fileRank.size);
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const sa = a.d.source;
      const sb = b.d.source;
      if (!sa || !sb) return (sa ? 0 : 1) - (sb ? 0 : 1) || a.i - b.i;
      return (fileRank.get(sa.file) ?? 0) - (fileRank.get(sb.file) ?? 0) || sa.line - sb.line || sa.col - sb.col || a.i - b.i;
    })
    .map((x) => x.d);
}

/**
 * Reads and parses manifest files in order, layers them (later files replace earlier resources
 * with the same kind/namespace/name) and checks delegates. Shared by `loadManifests` and
 * `validate`, which differ only in how they judge what this finds.
 */
export function readManifestFiles(
  paths: readonly string[],
  files: FileSource,
  options: ManifestOptions = {},
): { resources: Resource[]; diagnostics: Diagnostic[]; rejected: RejectedRef[] } {
  const diagnostics: Diagnostic[] = [];
  const all: Resource[] = [];
  const rejected: RejectedRef[] = [];
  let order = 0;
  for (const path of paths) {
    const read = files.read(path);
    if (!read.ok) {
      const source = read.at ? { file: path, line: read.at.line, col: read.at.col } : null;
      diagnostics.push({ code: CODES.file, level: 'error', resource: '', message: fileProblem(path, read), source });
      continue;
    }
    const parsed = parseManifestText(read.text, path, order, options);
    order += parsed.resources.length;
    all.push(...parsed.resources);
    diagnostics.push(...parsed.diagnostics);
    rejected.push(...parsed.rejected);
  }
  const deduped = dedupeLayer(all);
  diagnostics.push(...deduped.diagnostics);
  diagnostics.push(...checkDelegates(deduped.resources));
  return { resources: deduped.resources, diagnostics, rejected };
}

/**
 * Reads and parses manifest files for `meshsim route`. Throws InputError when anything is an error.
 */
export function loadManifests(paths: string[], files: FileSource, options: ManifestOptions = {}): { resources: Resource[]; diagnostics: Diagnostic[] } {
  const { resources, diagnostics, rejected } = readManifestFiles(paths, files, options);
  diagnostics.push(
    ...checkServiceSelectors(
      resources.filter((r): r is ServiceResource => r.kind === 'Service'),
      resources.filter((r): r is DeploymentResource => r.kind === 'Deployment'),
      'warning',
      rejected,
    ),
  );
  const sorted = sortDiagnostics(diagnostics);
  if (hasErrors(sorted)) throw new InputError(sorted);
  return { resources, diagnostics: sorted };
}
