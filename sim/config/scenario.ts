/**
 * Scenario YAML → ResolvedScenario: validate the file against `scenarioSchema`, load the
 * manifests it names, apply defaults, parse units and check every cross reference. Collects
 * all diagnostics before giving up (one InputError lists everything the user must fix).
 */
import type { Diagnostic, DiagnosticLevel, SourceLocation } from '../domain/diagnostics.ts';
import { hasErrors, InputError } from '../domain/diagnostics.ts';
import { parseDuration, US_PER_MS, US_PER_S } from '../domain/time.ts';
import { CODES } from './codes.ts';
import type { FileRead, FileSource } from './file-source.ts';
import { dirname, joinPath } from './file-source.ts';
import { blockingIssuePaths, issuesToDiagnostics } from './issues.ts';
import { checkDelegates, checkServiceSelectors } from './cross-checks.ts';
import { dedupeLayer, latestByKey, layerResources } from './layering.ts';
import { DEFAULT_NAMESPACE, fileProblem, namespaceFor, parseLocatedResources, sortDiagnostics } from './manifests.ts';
import type { ParsedResources, RejectedRef } from './manifests.ts';
import { DEFAULT_ISTIO_VERSION, defaultProfile } from './profile.ts';
import { scenarioSchema } from './scenario-schema.ts';
import { resolveTokens } from './security-schema.ts';
import type { DistributionInput, SpecInput } from './scenario-schema.ts';
import { resolveExpectations, type ExpectationWorld } from './expectations.ts';
import { closest, listNames } from './suggest.ts';
import type { Budgets, DeploymentResource, Distribution, ExpectationSpec, ResolvedScenario, Resource, SemanticsProfile, ServiceResource, SidecarLatency, TimelineAction } from './types.ts';
import { timelineResources } from './types.ts';
import { resolveDistribution, resolveSidecarLatency } from './distributions.ts';
import { resolveTimeline } from './timeline.ts';
import { resolveTraffic, resolveWorkloads } from './workloads-traffic.ts';
import { Fnv1a64, parseIstioVersion } from './units.ts';
import { formatPath, locate, locateKey, parseYamlDocuments, pathStartsWith } from './yaml-source.ts';
import { confinementProblem, parseByteSize, podCountProblem } from './limits.ts';
import { findCallCycles } from './call-graph.ts';
import type { PathSeg, PosIndex, YamlDoc } from './yaml-source.ts';

export interface ScenarioOverrides {
  seed?: number;
  durationUs?: number;
  /** Extra manifest files layered at t=0 (paths as given, not relative to the scenario). */
  apply?: string[];
}

export interface ScenarioParse {
  /** null when any diagnostic is an error. */
  scenario: ResolvedScenario | null;
  diagnostics: Diagnostic[];
}

// ---- defaults ----------------------------------------------------------------------------------

export const DEFAULT_SEED = 1;
export const DEFAULT_DURATION_US = 60 * US_PER_S;
export const DEFAULT_BUDGETS: Budgets = { maxEvents: 50_000_000, maxSimTimeUs: 3600 * US_PER_S, maxInFlight: 1_000_000 };
export { DEFAULT_SERVICE_TIME, defaultBehaviour } from './workloads-traffic.ts';
export const DEFAULT_LATENCY: SidecarLatency = {
  outbound: { kind: 'lognormal', medianUs: 200, p99Us: 800 },
  inbound: { kind: 'lognormal', medianUs: 200, p99Us: 800 },
  network: { kind: 'constant', valueUs: 50 },
};
export { DEFAULT_CONFIDENCE } from './expectations.ts';
/** istiod's defaults (istio-semantics.md §6.1); the same numbers as control-plane/propagation.ts DEFAULT_PROPAGATION. */
const DEFAULT_PROPAGATION = { debounceUs: 100 * US_PER_MS, debounceMaxUs: 10 * US_PER_S, pushDelayMinUs: 50 * US_PER_MS, pushDelayMaxUs: 500 * US_PER_MS };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


class Resolver {
  readonly diagnostics: Diagnostic[] = [];
  private readonly hasher = new Fnv1a64();
  private readonly reads = new Map<string, FileRead>();
  private blocking: PathSeg[][] = [];
  private index!: PosIndex;
  doc!: YamlDoc;
  readonly dir: string;
  /** Raw manifest documents by resource key, latest load wins (timeline patch merges into them). */
  readonly raws = new Map<string, unknown>();

  constructor(
    readonly file: string,
    readonly files: FileSource,
  ) {
    this.dir = dirname(file);
  }

  // ---- diagnostics helpers ----
  at(path: PathSeg[]): SourceLocation | null {
    return locate(this.index, path);
  }
  report(level: DiagnosticLevel, code: string, path: PathSeg[] | null, message: string, opts: { atKey?: boolean; resource?: string } = {}): void {
    const d: Diagnostic = {
      code,
      level,
      resource: opts.resource ?? '',
      message,
      source: path === null ? null : opts.atKey ? locateKey(this.index, path) : this.at(path),
    };
    if (path !== null && path.length > 0) d.path = formatPath(path);
    this.diagnostics.push(d);
  }
  push(d: Diagnostic): void {
    this.diagnostics.push(d);
  }
  error(path: PathSeg[] | null, message: string, code: string = CODES.scenario, atKey = false): void {
    this.report('error', code, path, message, { atKey });
  }
  warn(path: PathSeg[] | null, message: string, code: string = CODES.scenario): void {
    this.report('warning', code, path, message);
  }

  /** True when no shape error sits at, above or inside `path`. */
  intact(path: PathSeg[]): boolean {
    return !this.blocking.some((b) => pathStartsWith(path, b) || pathStartsWith(b, path));
  }
  /** True when no shape error sits at or above `path` (its children may still be read one by one). */
  readable(path: PathSeg[]): boolean {
    return !this.blocking.some((b) => pathStartsWith(path, b));
  }

  // ---- files ----
  read(path: string): FileRead {
    let r = this.reads.get(path);
    if (!r) {
      r = this.files.read(path);
      this.reads.set(path, r);
      if (r.ok) this.hasher.addText(r.text);
    }
    return r;
  }

  /** False (with an error at `where`) when a path written in the scenario leads out of its folder (limits.ts). */
  confined(rel: string, where: PathSeg[]): boolean {
    const why = confinementProblem(rel);
    if (why === null) return true;
    this.error(where, `path '${rel}' is refused: ${why}; files a scenario names must be in the scenario's folder or below it (layer other files with --apply)`, CODES.file);
    return false;
  }

  /** Reads and parses one manifest file; `where` is the scenario field that names it (null for --apply). */
  loadFile(path: string, where: PathSeg[] | null, order: number, profile: SemanticsProfile, what = 'manifest'): ParsedResources {
    const r = this.read(path);
    if (!r.ok) {
      // A problem with a place inside the file (a byte that is not UTF-8) is reported there.
      if (r.at) this.diagnostics.push({ code: CODES.file, level: 'error', resource: '', message: fileProblem(path, r, what), source: { file: path, ...r.at } });
      else this.error(where, fileProblem(path, r, what), CODES.file);
      return { resources: [], diagnostics: [], rejected: [] };
    }
    const y = parseYamlDocuments(r.text, path);
    this.diagnostics.push(...y.diagnostics);
    for (const doc of y.docs) this.rememberRaw(doc.value);
    const parsed = parseLocatedResources(
      y.docs.map((doc) => ({ value: doc.value, doc, base: [] })),
      order,
      { profile },
    );
    this.diagnostics.push(...parsed.diagnostics);
    return parsed;
  }

  /** Keeps a manifest document for later `patch` entries. */
  rememberRaw(value: unknown): void {
    if (!isRecord(value) || typeof value.kind !== 'string' || !isRecord(value.metadata) || typeof value.metadata.name !== 'string') return;
    const ns = typeof value.metadata.namespace === 'string' ? value.metadata.namespace : undefined;
    this.raws.set(`${value.kind}/${namespaceFor(value.kind, ns)}/${value.metadata.name}`, value);
  }

  duration(value: unknown, path: PathSeg[], fallback: number): number {
    if (value === undefined || !this.intact(path)) return fallback;
    const d = parseDuration(value);
    if (!d.ok) {
      this.error(path, d.error);
      return fallback;
    }
    return d.us;
  }

  // ---- main ----
  run(text: string, overrides: ScenarioOverrides): ResolvedScenario | null {
    this.hasher.addText(text);
    const y = parseYamlDocuments(text, this.file);
    this.diagnostics.push(...y.diagnostics);
    if (hasErrors(y.diagnostics)) return null;
    if (y.docs.length === 0) {
      this.diagnostics.push({ code: CODES.scenario, level: 'error', resource: '', message: 'the scenario file is empty', source: { file: this.file, line: 1, col: 1 } });
      return null;
    }
    if (y.docs.length > 1) {
      this.diagnostics.push({
        code: CODES.scenario,
        level: 'error',
        resource: '',
        message: `a scenario file holds one YAML document, found ${y.docs.length}; put manifests in their own files (spec.manifests) or under spec.resources`,
        source: y.docs[1].start,
      });
    }
    this.doc = y.docs[0];
    this.index = this.doc.index;
    const raw = this.doc.value;
    if (isRecord(raw) && typeof raw.kind === 'string' && raw.kind !== 'Scenario' && typeof raw.apiVersion === 'string' && raw.apiVersion !== 'meshsim.dev/v1alpha1') {
      this.error(
        ['kind'],
        `this file is a ${raw.kind} manifest, not a scenario (kind: Scenario, apiVersion: meshsim.dev/v1alpha1); list it under spec.manifests of a scenario, or check it with 'meshsim validate'`,
      );
      return null;
    }
    const parsed = scenarioSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      this.diagnostics.push(...issuesToDiagnostics(parsed.error.issues, { resource: '', index: this.index, base: [], schema: scenarioSchema, code: CODES.scenario }));
      this.blocking = blockingIssuePaths(parsed.error.issues);
    }
    if (!isRecord(raw) || !this.readable(['spec']) || !isRecord(raw.spec)) return null;
    const spec = raw.spec as SpecInput;
    const meta = isRecord(raw.metadata) ? raw.metadata : {};
    return this.resolve(spec, meta, overrides);
  }

  private resolve(spec: SpecInput, meta: Record<string, unknown>, overrides: ScenarioOverrides): ResolvedScenario | null {
    const profile = this.profile(spec);

    // Seed and duration.
    let seed = DEFAULT_SEED;
    if (spec.seed !== undefined && this.intact(['spec', 'seed'])) seed = spec.seed;
    if (overrides.seed !== undefined) {
      if (!Number.isSafeInteger(overrides.seed) || overrides.seed < 0) this.error(null, `--seed must be a whole number >= 0, got ${overrides.seed}`);
      else seed = overrides.seed;
    }
    let durationUs = this.duration(spec.duration, ['spec', 'duration'], DEFAULT_DURATION_US);
    if (overrides.durationUs !== undefined) {
      if (!Number.isSafeInteger(overrides.durationUs) || overrides.durationUs <= 0) this.error(null, `--duration must be > 0, got ${overrides.durationUs}us`);
      else durationUs = overrides.durationUs;
    } else if (durationUs === 0) {
      this.error(['spec', 'duration'], 'duration must be > 0 (traffic runs for this long), e.g. "60s"');
    }

    const budgets = this.budgets(spec);
    if (durationUs > budgets.maxSimTimeUs) {
      this.error(spec.duration !== undefined ? ['spec', 'duration'] : null, `duration ${durationUs / US_PER_S}s is longer than budgets.maxSimTime (${budgets.maxSimTimeUs / US_PER_S}s); raise spec.budgets.maxSimTime`);
    }
    const latency = resolveSidecarLatency(spec.sidecar, DEFAULT_LATENCY, this);

    // Resources at t=0: manifests, inline resources, then --apply files.
    let order = 0;
    const base: Resource[] = [];
    const rejected: RejectedRef[] = [];
    if (spec.manifests && this.readable(['spec', 'manifests'])) {
      spec.manifests.forEach((rel, i) => {
        if (typeof rel !== 'string' || !this.intact(['spec', 'manifests', i])) return;
        if (!this.confined(rel, ['spec', 'manifests', i])) return;
        const p = this.loadFile(joinPath(this.dir, rel), ['spec', 'manifests', i], order, profile);
        order += p.resources.length;
        base.push(...p.resources);
        rejected.push(...p.rejected);
      });
    }
    if (spec.resources && this.readable(['spec', 'resources'])) {
      const items = spec.resources.map((value, i) => ({ value: value as unknown, doc: this.doc, base: ['spec', 'resources', i] as PathSeg[] }));
      for (const it of items) this.rememberRaw(it.value);
      const p = parseLocatedResources(items, order, { profile });
      this.diagnostics.push(...p.diagnostics);
      order += p.resources.length;
      base.push(...p.resources);
      rejected.push(...p.rejected);
    }
    const layered = dedupeLayer(base);
    this.diagnostics.push(...layered.diagnostics);
    let resources = layered.resources;
    for (const path of overrides.apply ?? []) {
      const p = this.loadFile(path, null, order, profile, '--apply file');
      order += p.resources.length;
      rejected.push(...p.rejected);
      resources = layerResources(resources, dedupeLayer(p.resources).resources).resources;
    }

    // Timeline.
    const clientNames = (Array.isArray(spec.traffic) ? spec.traffic : []).map((t) => (isRecord(t) && typeof t.name === 'string' ? t.name : '')).filter((n) => n !== '');
    const resolvedTimeline =
      spec.timeline && this.readable(['spec', 'timeline'])
        ? resolveTimeline(spec, this, { durationUs, profile, startOrder: order, base: resources, rejected, deployments: uniqueDeployments(resources), clients: clientNames })
        : { actions: [], podSlots: {}, laterDeployments: [], podSidecars: {} };
    const timeline = resolvedTimeline.actions;
    const applied = timeline.flatMap((a) => timelineResources(a));
    const everything = [...resources, ...applied];

    // Cross-resource checks over every resource the run may ever have.
    const deployments = uniqueDeployments(everything);
    const pods = podCountProblem(deployments);
    if (pods) this.diagnostics.push(pods);
    const services = everything.filter((r): r is ServiceResource => r.kind === 'Service');
    this.diagnostics.push(...checkServiceSelectors(services, deployments, 'error', rejected));
    this.diagnostics.push(...checkDelegates(latestByKey(everything)));

    const rejectedDeployments = rejected.filter((r) => r.kind === 'Deployment').map((r) => `${r.namespace}/${r.name}`);
    const workloads = resolveWorkloads(this, spec, deployments, rejectedDeployments);
    this.diagnostics.push(...findCallCycles(workloads, services, deployments));
    const traffic = resolveTraffic(this, spec, durationUs, deployments, rejectedDeployments);
    const expectations = this.expectations(spec, durationUs, budgets, deployments, services, rejectedDeployments, resources, timeline);

    const propagation = this.propagation(spec);
    const tokens = resolveTokens(
      spec.tokens,
      (text) => {
        const d = parseDuration(text);
        return d.ok ? d.us : null;
      },
      (token, message) => this.error(['spec', 'tokens', token, 'expiresAt'], message, CODES.scenario),
    );

    if (hasErrors(this.diagnostics)) return null;
    return {
      ...(tokens ? { tokens } : {}),
      name: typeof meta.name === 'string' ? meta.name : '',
      description: typeof meta.description === 'string' ? meta.description : '',
      file: this.file,
      seed,
      durationUs,
      profile,
      resources,
      workloads,
      traffic,
      timeline,
      expectations,
      budgets,
      latency,
      diagnostics: this.diagnostics,
      inputHash: this.hasher.hex(),
      ...(propagation !== undefined ? { propagation } : {}),
      ...(Object.keys(resolvedTimeline.podSlots).length > 0 ? { podSlots: resolvedTimeline.podSlots } : {}),
      ...(resolvedTimeline.laterDeployments.length > 0 ? { laterDeployments: resolvedTimeline.laterDeployments } : {}),
      ...(Object.keys(resolvedTimeline.podSidecars).length > 0 ? { podSidecars: resolvedTimeline.podSidecars } : {}),
    };
  }

  // ---- mesh / profile ----
  private profile(spec: SpecInput): SemanticsProfile {
    const mesh = spec.mesh;
    let profile = defaultProfile(DEFAULT_ISTIO_VERSION);
    if (!mesh) return profile;
    const istio = this.intact(['spec', 'mesh', 'istio']) ? mesh.istio : undefined;
    if (istio?.version !== undefined) {
      if (parseIstioVersion(istio.version)) profile = defaultProfile(istio.version);
      else this.error(['spec', 'mesh', 'istio', 'version'], `"${istio.version}" is not an Istio version; write e.g. "1.28" or "1.22"`);
    }
    if (istio) {
      const switches = ['defaultLoadBalancer', 'weightsMustSum100', 'defaultRetryOn503', 'inboundResetBeforeRequestRetry', 'legacyFirstEjectionAlwaysAllowed', 'missingClusterFlag'] as const;
      for (const k of switches) {
        const v = istio[k];
        if (v !== undefined) (profile as unknown as Record<string, unknown>)[k] = v;
      }
    }
    if (mesh.outboundTrafficPolicy !== undefined && this.intact(['spec', 'mesh', 'outboundTrafficPolicy'])) {
      const o = mesh.outboundTrafficPolicy;
      profile.outboundTrafficPolicy = typeof o === 'string' ? o : o.mode;
    }
    if (mesh.rootNamespace !== undefined && this.intact(['spec', 'mesh', 'rootNamespace'])) profile.rootNamespace = mesh.rootNamespace;
    if (mesh.trustDomain !== undefined && this.intact(['spec', 'mesh', 'trustDomain'])) profile.trustDomain = mesh.trustDomain;
    return profile;
  }

  /** spec.mesh.propagation (istio-semantics.md §6.1); undefined = instant (the default). */
  private propagation(spec: SpecInput): ResolvedScenario['propagation'] | undefined {
    const p = spec.mesh?.propagation;
    const path: PathSeg[] = ['spec', 'mesh', 'propagation'];
    if (p === undefined || !this.intact(path)) return undefined;
    if (p === 'instant') return null;
    if (p === 'default') return 'default';
    const knobs = {
      debounceUs: this.duration(p.debounce, [...path, 'debounce'], DEFAULT_PROPAGATION.debounceUs),
      debounceMaxUs: this.duration(p.debounceMax, [...path, 'debounceMax'], DEFAULT_PROPAGATION.debounceMaxUs),
      pushDelayMinUs: this.duration(p.pushDelayMin, [...path, 'pushDelayMin'], DEFAULT_PROPAGATION.pushDelayMinUs),
      pushDelayMaxUs: this.duration(p.pushDelayMax, [...path, 'pushDelayMax'], DEFAULT_PROPAGATION.pushDelayMaxUs),
    };
    if (knobs.debounceMaxUs < knobs.debounceUs) this.error([...path, 'debounceMax'], `debounceMax (${knobs.debounceMaxUs / US_PER_MS}ms) must be >= debounce (${knobs.debounceUs / US_PER_MS}ms)`);
    if (knobs.pushDelayMaxUs < knobs.pushDelayMinUs) this.error([...path, 'pushDelayMax'], `pushDelayMax (${knobs.pushDelayMaxUs / US_PER_MS}ms) must be >= pushDelayMin (${knobs.pushDelayMinUs / US_PER_MS}ms)`);
    return knobs;
  }

  private budgets(spec: SpecInput): Budgets {
    const b = { ...DEFAULT_BUDGETS };
    const raw = spec.budgets;
    if (!raw) return b;
    if (raw.maxEvents !== undefined && this.intact(['spec', 'budgets', 'maxEvents'])) b.maxEvents = raw.maxEvents;
    if (raw.maxInFlight !== undefined && this.intact(['spec', 'budgets', 'maxInFlight'])) b.maxInFlight = raw.maxInFlight;
    if (raw.maxTraceBytes !== undefined && this.intact(['spec', 'budgets', 'maxTraceBytes'])) {
      const size = parseByteSize(raw.maxTraceBytes);
      if (size.ok) b.maxTraceBytes = size.bytes;
      else this.error(['spec', 'budgets', 'maxTraceBytes'], size.error);
    }
    b.maxSimTimeUs = this.duration(raw.maxSimTime, ['spec', 'budgets', 'maxSimTime'], b.maxSimTimeUs);
    if (b.maxSimTimeUs === 0) {
      this.error(['spec', 'budgets', 'maxSimTime'], 'maxSimTime must be > 0');
      b.maxSimTimeUs = DEFAULT_BUDGETS.maxSimTimeUs;
    }
    return b;
  }

  distribution(input: DistributionInput, path: PathSeg[]): Distribution | null {
    return resolveDistribution(input, path, this);
  }

  // ---- workloads ----
  findDeployment(
    ref: string,
    deployments: DeploymentResource[],
    rejected: string[],
    path: PathSeg[],
    what: string,
    atKey = false,
  ): DeploymentResource | null | 'rejected' {
    const slash = ref.indexOf('/');
    const ns = slash < 0 ? DEFAULT_NAMESPACE : ref.slice(0, slash);
    const name = slash < 0 ? ref : ref.slice(slash + 1);
    const found = deployments.find((d) => d.meta.namespace === ns && d.meta.name === name);
    if (found) return found;
    if (rejected.includes(`${ns}/${name}`)) return 'rejected';
    const names = deployments.map((d) => (d.meta.namespace === DEFAULT_NAMESPACE ? d.meta.name : `${d.meta.namespace}/${d.meta.name}`));
    const dym = closest(ref, names);
    this.error(
      path,
      `${what} '${ref}' names no Deployment${dym ? ` (did you mean '${dym}'?)` : ''}; deployments: ${listNames(names)}`,
      CODES.reference,
      atKey,
    );
    return null;
  }

  // ---- expectations ----
  private expectations(
    spec: SpecInput,
    durationUs: number,
    budgets: Budgets,
    deployments: DeploymentResource[],
    services: ServiceResource[],
    rejectedDeployments: string[],
    resources: Resource[],
    timeline: TimelineAction[],
  ): ExpectationSpec[] {
    if (!spec.expect || !this.readable(['spec', 'expect'])) return [];
    const rawTraffic = Array.isArray(spec.traffic) ? spec.traffic : [];
    const world: ExpectationWorld = {
      durationUs,
      maxSimTimeUs: budgets.maxSimTimeUs,
      clientNames: rawTraffic.map((t) => (isRecord(t) && typeof t.name === 'string' ? t.name : '')).filter((n) => n !== ''),
      deploymentNames: deployments.map((d) => d.meta.name),
      rejectedDeployments,
      serviceNames: [...new Set(services.map((s) => s.meta.name))],
      resources,
      timeline,
    };
    return resolveExpectations(spec.expect, ['spec', 'expect'], world, {
      error: (path, message, code, atKey) => this.error(path, message, code, atKey),
      warn: (path, message, code) => this.warn(path, message, code),
      at: (path) => this.at(path),
      intact: (path) => this.intact(path),
    });
  }
}

/** Deployments by namespace/name, first appearance order, latest definition. */
function uniqueDeployments(resources: readonly Resource[]): DeploymentResource[] {
  return latestByKey(resources).filter((r): r is DeploymentResource => r.kind === 'Deployment');
}

/**
 * Parses a scenario text (reading the manifests it names through `files`) without throwing.
 * `file` is the scenario's path; manifest paths are resolved relative to its folder.
 */
export function parseScenarioText(text: string, file: string, files: FileSource, overrides: ScenarioOverrides = {}): ScenarioParse {
  const r = new Resolver(file, files);
  let scenario: ResolvedScenario | null = null;
  scenario = r.run(text, overrides);
  const diagnostics = sortDiagnostics(r.diagnostics);
  if (scenario) scenario.diagnostics = diagnostics;
  return { scenario: hasErrors(diagnostics) ? null : scenario, diagnostics };
}

/** Loads a scenario file. Throws InputError listing every problem when anything is an error. */
export function loadScenario(path: string, files: FileSource, overrides: ScenarioOverrides = {}): ResolvedScenario {
  const read = files.read(path);
  if (!read.ok) {
    // A file that exists but cannot be used points at itself (or at its first bad byte); a missing one has no place.
    const source = read.at ? { file: path, ...read.at } : read.reason === 'missing' ? null : { file: path, line: 1, col: 1 };
    throw new InputError([{ code: CODES.file, level: 'error', resource: '', message: fileProblem(path, read, 'scenario'), source }]);
  }
  const { scenario, diagnostics } = parseScenarioText(read.text, path, files, overrides);
  if (!scenario || hasErrors(diagnostics)) throw new InputError(diagnostics);
  return scenario;
}
