/**
 * Codes the cross-object analyzers add on top of what sim/config and the control plane report.
 * IST codes follow istioctl analyze (pkg/config/analysis/msg/messages.yaml) and KIA codes Kiali's
 * validations, so a learner meets the same vocabulary as in a real cluster (peers.md §2.1).
 */
export const ANALYZE_CODES = {
  /** A Gateway server port that the gateway workload's Service does not expose (GatewayPortNotDefinedOnService). */
  gatewayPortNotOnService: 'IST0104',
  /** A destination without a port when the service has several (VirtualServiceDestinationPortSelectorRequired). */
  portSelectorRequired: 'IST0112',
  /** A match block that an earlier, identical or broader one always wins against (VirtualServiceIneffectiveMatch). */
  ineffectiveMatch: 'IST0131',
  /** A VirtualService host that no server of a bound Gateway accepts (VirtualServiceHostNotFoundInGateway). */
  hostNotInGateway: 'IST0132',
  /** A DestinationRule subset whose labels select no pod of the host (DestinationRuleSubsetNotSelectPods). */
  subsetSelectsNoPods: 'IST0173',
  /** A DestinationRule host that is not in the service registry (UnknownDestinationRuleHost). */
  unknownDrHost: 'IST0174',
  /** Kiali: one route lists the same host+subset twice. */
  duplicateDestination: 'KIA1105',
  /** Kiali: more than one VirtualService for the same host. */
  moreThanOneVs: 'KIA1106',
  /** Kiali: the subset a route names is defined by no DestinationRule. */
  subsetNotFound: 'KIA1107',
} as const;
