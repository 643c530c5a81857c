/**
 * The hostile and malformed input catalogue (issue 11 item 3): each fixture under
 * test/fixtures/hostile/ with where meshsim must point (file:line:col) and what it must say.
 * Every case exits 2, prints no stack trace and leaves no output file behind (hostile.test.ts).
 * Cases that need files too large or too odd to keep in git are generated at test time
 * (generated-cases.ts).
 */

export interface HostileCase {
  /** What is wrong, as the test name. */
  what: string;
  /** Scenario path, relative to the repository root. */
  file: string;
  /** "file:line:col" of the first error, or null when the problem has no place (a missing file). */
  at: string | null;
  message: RegExp;
}

const DIR = 'test/fixtures/hostile';
const M = `${DIR}/manifests`;

const c = (what: string, name: string, at: string | null, message: RegExp): HostileCase => ({ what, file: `${DIR}/${name}`, at, message });
/** A location inside the scenario file itself. */
const here = (name: string, lineCol: string): string => `${DIR}/${name}:${lineCol}`;

export const HOSTILE_CASES: HostileCase[] = [
  // ---- YAML that cannot become data ----
  c('YAML bomb: anchors and aliases in the scenario expand to 9^9 nodes', 'alias-bomb.yaml', here('alias-bomb.yaml', '2:1'), /MSH0002: YAML aliases expand to too many nodes .* alias bomb/),
  c('YAML bomb in a manifest the scenario names', 'alias-bomb-manifest.yaml', `${M}/alias-bomb.yaml:2:1`, /MSH0002: .*alias bomb/),
  c('broken YAML: an unclosed flow mapping', 'broken-flow.yaml', here('broken-flow.yaml', '8:3'), /MSH0001: invalid YAML: Flow map in block collection must be sufficiently indented and end with a \}/),
  c('tabs used for indentation', 'tab-indent.yaml', here('tab-indent.yaml', '8:1'), /MSH0001: invalid YAML: Tabs are not allowed as indentation/),
  c('a duplicate key', 'duplicate-key.yaml', here('duplicate-key.yaml', '7:3'), /MSH0001: invalid YAML: Map keys must be unique/),
  c('two YAML documents in a scenario file', 'two-documents.yaml', here('two-documents.yaml', '10:1'), /a scenario file holds one YAML document, found 2/),
  c('an empty file', 'empty.yaml', here('empty.yaml', '1:1'), /the scenario file is empty/),
  c('a file with only comments', 'comments-only.yaml', here('comments-only.yaml', '1:1'), /the scenario file is empty/),
  c('an unknown YAML tag (warning) on a value that then has the wrong type', 'unresolved-tag.yaml', here('unresolved-tag.yaml', '6:9'), /warning MSH0001: invalid YAML: Unresolved tag: !int[\s\S]*spec\.seed: expected a number, got "7"/),
  c('a complex (list) mapping key', 'complex-key.yaml', here('complex-key.yaml', '5:3'), /unknown field '\[ web, api \]'/),

  // ---- files ----
  c('a manifest that does not exist', 'missing-manifest.yaml', here('missing-manifest.yaml', '6:30'), /MSH0003 spec\.manifests\[1\]: cannot read manifest '.*no-such-file\.yaml': file not found/),
  c('a manifest path that is a directory', 'manifest-is-directory.yaml', here('manifest-is-directory.yaml', '6:30'), /MSH0003 spec\.manifests\[1\]: cannot read manifest '.*manifests': it is a directory, not a file/),
  c('a scenario path that is a directory', 'a-folder.yaml', here('a-folder.yaml', '1:1'), /MSH0003: cannot read scenario '.*a-folder\.yaml': it is a directory, not a file/),
  c('bytes that are not UTF-8 in the scenario', 'not-utf8.yaml', here('not-utf8.yaml', '7:8'), /MSH0003: cannot read scenario .*not valid UTF-8 text \(byte 0xE9 at line 7, column 8; save the file as UTF-8\)/),
  c('bytes that are not UTF-8 in a manifest', 'manifest-not-utf8.yaml', `${M}/latin1.yaml:6:13`, /MSH0003: cannot read manifest .*latin1\.yaml': file is not valid UTF-8 text \(byte 0xE9/),
  c('a manifest path that climbs out of the scenario folder', 'escape-relative.yaml', here('escape-relative.yaml', '6:30'), /path '\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd' is refused: it leads out of the scenario's folder/),
  c('an absolute manifest path', 'escape-absolute.yaml', here('escape-absolute.yaml', '6:30'), /path '\/etc\/passwd' is refused: it is an absolute path/),
  c('a Windows-style path that climbs out', 'escape-backslash.yaml', here('escape-backslash.yaml', '6:30'), /path '\.\.\\\\\.\.\\\\secrets\.yaml' is refused: it leads out of the scenario's folder/),
  c('a path that dips out and back in', 'escape-sneaky.yaml', here('escape-sneaky.yaml', '6:30'), /path 'manifests\/\.\.\/\.\.\/hostile\/.*' is refused: it leads out/),
  c('a timeline apply that climbs out of the scenario folder', 'escape-timeline.yaml', here('escape-timeline.yaml', '8:26'), /spec\.timeline\[0\]\.apply: path '\.\.\/invalid\/platform\.yaml' is refused/),

  // ---- wrong types ----
  c('a string where a number goes (seed)', 'seed-string.yaml', here('seed-string.yaml', '7:9'), /spec\.seed: expected a number, got "seven"/),
  c('a list where a mapping goes (workloads)', 'workloads-list.yaml', here('workloads-list.yaml', '7:14'), /spec\.workloads: expected a mapping, got a list/),
  c('a mapping where a list goes (traffic)', 'traffic-map.yaml', here('traffic-map.yaml', '7:12'), /spec\.traffic: expected a list, got a mapping/),
  c('a mapping where a list goes (calls)', 'calls-map.yaml', here('calls-map.yaml', '9:14'), /spec\.workloads\.web\.calls: expected a list, got a mapping/),
  c('a list where a mapping goes (headers)', 'headers-list.yaml', here('headers-list.yaml', '8:76'), /spec\.traffic\[0\]\.headers: expected a mapping, got a list/),
  c('a number where a URL goes', 'url-number.yaml', here('url-number.yaml', '8:35'), /spec\.traffic\[0\]\.url: expected a string, got 8080 \(quote it: "8080"\)/),
  c('a boolean where a duration goes', 'duration-bool.yaml', here('duration-bool.yaml', '5:13'), /spec\.duration: expected a string, got true/),
  c('a duration without a unit', 'duration-no-unit.yaml', here('duration-no-unit.yaml', '5:13'), /spec\.duration: a number needs a unit here: write "5s" or "5ms"/),
  c('a string where spec goes', 'spec-string.yaml', here('spec-string.yaml', '4:7'), /spec: expected a mapping, got "run everything please"/),
  c('no metadata', 'metadata-missing.yaml', here('metadata-missing.yaml', '1:1'), /missing required field 'metadata'/),
  c('a list as the whole document', 'top-level-list.yaml', here('top-level-list.yaml', '1:1'), /expected a mapping, got a list/),
  c('a plain string as the whole document', 'top-level-scalar.yaml', here('top-level-scalar.yaml', '1:1'), /expected a mapping, got "just some text, not a scenario"/),
  c('a string for replicas in a manifest', 'replicas-string.yaml', `${M}/replicas-string.yaml:5:13`, /MSH0011 \(Deployment default\/extra\) spec\.replicas: expected a number, got "three"/),
  c('a mapping for Service ports in a manifest', 'service-ports-map.yaml', `${M}/ports-map.yaml:6:10`, /MSH0011 \(Service default\/extra\) spec\.ports: expected a list, got a mapping/),

  // ---- kinds and API versions ----
  c('a scenario apiVersion meshsim does not know', 'scenario-apiversion.yaml', here('scenario-apiversion.yaml', '1:13'), /apiVersion: must be 'meshsim\.dev\/v1alpha1', got "meshsim\.dev\/v2"/),
  c('a scenario kind that is not Scenario', 'scenario-kind.yaml', here('scenario-kind.yaml', '2:7'), /kind: must be 'Scenario', got "Scenery"/),
  c('an old Deployment apiVersion (warning) for the client the traffic needs (error)', 'unknown-apiversion-needed.yaml', `${M}/sleep-old-apiversion.yaml:2:1`, /warning MSH0101 .*apiVersion 'extensions\/v1beta1' of Deployment is not supported \(use apps\/v1\)[\s\S]*unknown-apiversion-needed\.yaml:8:23: error MSH0020 spec\.traffic\[0\]\.from: from 'sleep' names no Deployment/),
  c('a misspelt kind (warning) for the client the traffic needs (error)', 'unknown-kind-needed.yaml', `${M}/sleep-typo-kind.yaml:2:1`, /warning MSH0101 .*kind Deploymnet \(apps\/v1\) is not used by meshsim \(did you mean 'Deployment'\?\)[\s\S]*error MSH0020 spec\.traffic\[0\]\.from: from 'sleep' names no Deployment/),

  // ---- duplicate names ----
  c('two traffic entries with one name', 'duplicate-traffic.yaml', here('duplicate-traffic.yaml', '9:14'), /spec\.traffic\[1\]\.name: traffic name 'c' is already used by traffic\[0\]/),
  c('one Deployment configured under two keys', 'duplicate-workload.yaml', here('duplicate-workload.yaml', '9:5'), /workload default\/web is configured twice/),
  c('two expectations with one name', 'duplicate-expectation.yaml', here('duplicate-expectation.yaml', '11:14'), /expectation name 'ok' is already used by expect\[0\]/),

  // ---- call cycles ----
  c('a call cycle between two workloads', 'cycle-two.yaml', here('cycle-two.yaml', '13:11'), /MSH0021: call cycle web → api → web: every request to web would call web again, without end/),
  c('a workload that calls itself (by FQDN)', 'cycle-self.yaml', here('cycle-self.yaml', '10:11'), /MSH0021: call cycle web → web/),
  c('a three-workload cycle through a parallel step and a namespaced host', 'cycle-three.yaml', here('cycle-three.yaml', '17:11'), /MSH0021: call cycle web → api → db → web/),

  // ---- durations ----
  c('a negative duration', 'duration-negative.yaml', here('duration-negative.yaml', '5:13'), /duration "-1s" is negative; durations must be >= 0/),
  c('a negative call timeout', 'timeout-negative.yaml', here('timeout-negative.yaml', '10:46'), /calls\[0\]\.timeout: duration "-3s" is negative/),
  c('1e309s', 'duration-1e309s.yaml', here('duration-1e309s.yaml', '5:13'), /"1e309s" is not a duration; use a number with a unit/),
  c('a duration that YAML reads as Infinity (1e309)', 'duration-infinite.yaml', here('duration-infinite.yaml', '5:13'), /Infinity is not a duration; write a finite number with a unit/),
  c('a duration that YAML reads as NaN (.nan)', 'duration-nan.yaml', here('duration-nan.yaml', '5:13'), /NaN is not a duration; write a finite number with a unit/),
  c('the string "NaN" as a duration', 'duration-nan-string.yaml', here('duration-nan-string.yaml', '5:13'), /"NaN" is not a duration/),
  c('a duration over the 100-day limit', 'duration-too-long.yaml', here('duration-too-long.yaml', '5:13'), /duration "9999h" is longer than the 100-day limit/),
  c('a zero duration', 'duration-zero.yaml', here('duration-zero.yaml', '5:13'), /duration must be > 0/),

  // ---- rates ----
  c('a rate of 0', 'rate-zero.yaml', here('rate-zero.yaml', '8:61'), /rate 0\/s must be > 0/),
  c('a rate of 1e9/s', 'rate-1e9.yaml', here('rate-1e9.yaml', '8:61'), /rate 1e9\/s is above the limit of 1000000\/s/),
  c('a rate of 1000000000 per second as a number', 'rate-1e9-number.yaml', here('rate-1e9-number.yaml', '8:61'), /rate 1000000000 is above the limit of 1000000\/s/),
  c('a rate of NaN', 'rate-nan.yaml', here('rate-nan.yaml', '8:61'), /got NaN, which is not a finite number/),
  c('a rate that is a word', 'rate-garbage.yaml', here('rate-garbage.yaml', '8:61'), /"lots" is not a rate/),

  // ---- sizes the simulator refuses ----
  c('a billion replicas', 'replicas-huge.yaml', `${M}/replicas-huge.yaml:5:13`, /replicas 1000000000 is above meshsim's limit of 1000 per Deployment/),
  c('a billion closed-loop connections', 'connections-huge.yaml', here('connections-huge.yaml', '8:68'), /connections 1000000000 is above meshsim's limit of 100000/),
  c('more pods in all than the simulator takes', 'too-many-pods.yaml', `${M}/too-many-pods.yaml:5:13`, /the Deployments ask for 11004 pods in all, above meshsim's limit of 10000/),

  // ---- values out of range and dangling names ----
  c('an HTTP status of 700', 'status-out-of-range.yaml', here('status-out-of-range.yaml', '8:19'), /spec\.workloads\.web\.status: must be <= 599, got 700/),
  c('a URL port above 65535', 'url-bad-port.yaml', here('url-bad-port.yaml', '8:35'), /port 99999 is outside 1–65535/),
  c('an ftp:// URL', 'url-scheme.yaml', here('url-scheme.yaml', '8:35'), /URL scheme "ftp" is not supported; use http:\/\/ or https:\/\//),
  c('traffic from a Deployment that does not exist', 'unknown-from.yaml', here('unknown-from.yaml', '8:23'), /from 'sleeep' names no Deployment \(did you mean 'sleep'\?\)/),
  c('a workload key that names no Deployment', 'unknown-workload.yaml', here('unknown-workload.yaml', '8:5'), /workload 'wbe' names no Deployment \(did you mean 'web'\?\)/),
  c('a negative concurrency', 'concurrency-negative.yaml', here('concurrency-negative.yaml', '8:24'), /concurrency: must be >= 0, got -4/),
  c('zero attempts', 'attempts-zero.yaml', here('attempts-zero.yaml', '10:47'), /attempts: must be >= 1, got 0/),
  c('a uniform distribution with max below min', 'uniform-reversed.yaml', here('uniform-reversed.yaml', '9:59'), /uniform max \(1ms\) must be >= min \(5ms\)/),

  // ---- budgets in the scenario ----
  c('a duration longer than budgets.maxSimTime', 'budget-sim-time-short.yaml', here('budget-sim-time-short.yaml', '5:13'), /duration 1s is longer than budgets\.maxSimTime \(0\.5s\)/),
  c('budgets.maxTraceBytes that is not a size', 'budget-trace-bytes-garbage.yaml', here('budget-trace-bytes-garbage.yaml', '7:28'), /maxTraceBytes: "lots" is not a size/),
  c('budgets.maxEvents of 0', 'budget-events-zero.yaml', here('budget-events-zero.yaml', '7:24'), /maxEvents: must be >= 1, got 0/),
];
