// Debug counters so tests can assert the linear-time bound (work per input
// character stays bounded by the program size) without timing anything.
// Plain increments on a module object: cheap enough to leave enabled.

export interface Re2Counters {
  /** Pike VM: threads stepped + instructions visited, summed over positions. */
  vmSteps: number;
  /** Lazy DFA: input characters consumed. */
  dfaSteps: number;
  /** Lazy DFA: transitions computed (each costs O(program size)). */
  dfaTransitionsBuilt: number;
  /** Lazy DFA: times the state cache hit its budget and was flushed. */
  dfaCacheResets: number;
}

export const counters: Re2Counters = { vmSteps: 0, dfaSteps: 0, dfaTransitionsBuilt: 0, dfaCacheResets: 0 };

export function resetCounters(): void {
  counters.vmSteps = 0;
  counters.dfaSteps = 0;
  counters.dfaTransitionsBuilt = 0;
  counters.dfaCacheResets = 0;
}
