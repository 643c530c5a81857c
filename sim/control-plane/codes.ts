/**
 * Diagnostic codes the control-plane compile emits. IST codes follow istioctl analyze where the
 * meaning matches (istio-semantics.md §9.3), KIA codes follow Kiali; MSH03xx are meshsim's own
 * routing notes.
 */
export const CP_CODES = {
  /** A referenced host or host+subset does not exist (istioctl IST0101 ReferencedResourceNotFound). */
  referenceNotFound: 'IST0101',
  /** What istiod's validating webhook would reject; the resource is ignored (IST0106). */
  schema: 'IST0106',
  /** Two VirtualServices bound to the mesh claim the same host (IST0109; Kiali KIA1106). */
  conflictingHosts: 'IST0109',
  /** A regex that RE2 (Envoy) rejects (IST0122 InvalidRegexp). */
  invalidRegex: 'IST0122',
  /** A rule after a catch-all can never match (IST0130 VirtualServiceUnreachableRule). */
  unreachableRule: 'IST0130',
  /** Single destination with weight below 100: the weight is ignored (Kiali KIA1104). */
  singleWeight: 'KIA1104',
  /** A VirtualService host that matches no service in the registry, so it routes nothing. */
  hostNotInRegistry: 'MSH0301',
  /** A regex whose meaning differs between RE2 and a JavaScript RegExp (info). */
  regexDiffersFromJs: 'MSH0302',
  /** A delegate that is missing, not exported to the root, or whose rules conflict with the root. */
  delegate: 'MSH0303',
} as const;
