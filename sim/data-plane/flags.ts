/**
 * Envoy RESPONSE_FLAGS strings (istio-semantics.md §1.11). Several flags are joined with "," in
 * Envoy's fixed order (stream_info/utility.h ALL_RESPONSE_STRINGS_FLAGS), not in the order they
 * were raised.
 */
const ORDER = ['LH', 'UH', 'UT', 'LR', 'UR', 'UF', 'UC', 'UO', 'NR', 'DI', 'FI', 'RL', 'UAEX', 'RLSE', 'DC', 'URX', 'SI', 'IH', 'DPE', 'UMSDR', 'RFCF', 'NFCF', 'DT', 'UPE', 'NC', 'OM'];
const RANK = new Map(ORDER.map((f, i) => [f, i] as [string, number]));

/** `flags` ("-" or "A,B") with `flag` added in Envoy order. Cold path: only used when a fault fired. */
export function addFlag(flags: string, flag: string): string {
  if (flags === '-' || flags === '') return flag;
  const parts = flags.split(',');
  if (parts.includes(flag)) return flags;
  parts.push(flag);
  parts.sort((a, b) => (RANK.get(a) ?? 99) - (RANK.get(b) ?? 99));
  return parts.join(',');
}
