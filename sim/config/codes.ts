/**
 * Diagnostic codes sim/config emits. IST codes follow istioctl analyze where the meaning matches;
 * MSH codes are meshsim's own (listed in scenarios/README.md).
 */
export const CODES = {
  /** Broken YAML (parser error, duplicate key, bad indentation). */
  yaml: 'MSH0001',
  /** YAML that cannot be turned into data: alias bomb, unresolved alias. */
  yamlData: 'MSH0002',
  /** A referenced file cannot be read (missing, directory, not UTF-8, too large). */
  file: 'MSH0003',
  /** A document that is not a Kubernetes object (not a mapping, no apiVersion/kind, no name). */
  notAnObject: 'MSH0004',
  /** Scenario field with a wrong shape or value. */
  scenario: 'MSH0010',
  /** Kubernetes manifest field with a wrong shape or value. */
  kubernetes: 'MSH0011',
  /** A name in the scenario that refers to nothing (deployment, client, resource). */
  reference: 'MSH0020',
  /** Workloads whose call plans call each other in a cycle (call-graph.ts). */
  callCycle: 'MSH0021',
  /** Kind meshsim reads but does not simulate yet. */
  notSimulated: 'MSH0100',
  /** Kind or apiVersion meshsim does not know; the document is ignored. */
  unknownKind: 'MSH0101',
  /** The same kind/namespace/name defined twice in one layer; the later one wins. */
  duplicate: 'MSH0102',
  /** A VirtualService without hosts (a delegate) that no VirtualService delegates to. */
  unusedDelegate: 'MSH0103',
  /** A Service whose selector matches no Deployment's pod labels. */
  serviceSelectsNothing: 'MSH0201',
  /** istioctl SchemaValidationError: what istiod's validating webhook rejects. */
  istioSchema: 'IST0106',
} as const;
