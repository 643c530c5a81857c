/**
 * JUnit XML for `meshsim check --junit`: the shape Jenkins, GitLab, GitHub test reporters and
 * Azure read — <testsuites> → one <testsuite> per scenario run (per seed) → one <testcase> per
 * expectation, with <failure> for a failed one and <error> when the scenario could not run.
 * Elements follow the common schema's order (properties, testcase*, system-out, system-err).
 */

export interface JUnitCase {
  name: string;
  classname: string;
  /** Scenario file and line of the expectation, for reporters that link to source. */
  file?: string;
  line?: number;
  failure?: { message: string; type: string; text: string };
  error?: { message: string; type: string; text: string };
}

export interface JUnitSuite {
  name: string;
  timeSeconds: number;
  /** ISO 8601 start time. */
  timestamp: string;
  properties: [string, string][];
  cases: JUnitCase[];
  systemOut: string;
  systemErr: string;
}

/** Characters XML 1.0 cannot carry at all (control characters other than tab, newline, return). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (pairs: [string, string | number | undefined][]): string =>
  pairs
    .filter((p): p is [string, string | number] => p[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');

const seconds = (s: number): string => s.toFixed(3);

function caseXml(c: JUnitCase): string {
  const head = `    <testcase${attrs([
    ['name', c.name],
    ['classname', c.classname],
    ['time', '0'],
    ['file', c.file],
    ['line', c.line],
  ])}`;
  const problem = c.failure ? ['failure', c.failure] as const : c.error ? ['error', c.error] as const : null;
  if (!problem) return `${head}/>`;
  const [tag, p] = problem;
  return `${head}>\n      <${tag}${attrs([
    ['message', p.message],
    ['type', p.type],
  ])}>${xmlEscape(p.text)}</${tag}>\n    </testcase>`;
}

function suiteXml(s: JUnitSuite, id: number): string {
  const failures = s.cases.filter((c) => c.failure).length;
  const errors = s.cases.filter((c) => c.error).length;
  const lines = [
    `  <testsuite${attrs([
      ['name', s.name],
      ['tests', s.cases.length],
      ['failures', failures],
      ['errors', errors],
      ['skipped', 0],
      ['time', seconds(s.timeSeconds)],
      ['timestamp', s.timestamp],
      ['hostname', 'localhost'],
      ['id', id],
    ])}>`,
    '    <properties>',
    ...s.properties.map(([name, value]) => `      <property${attrs([
      ['name', name],
      ['value', value],
    ])}/>`),
    '    </properties>',
    ...s.cases.map(caseXml),
    `    <system-out>${xmlEscape(s.systemOut)}</system-out>`,
    `    <system-err>${xmlEscape(s.systemErr)}</system-err>`,
    '  </testsuite>',
  ];
  return lines.join('\n');
}

export function junitXml(suites: readonly JUnitSuite[], name = 'meshsim check'): string {
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.cases.filter((c) => c.failure).length, 0);
  const errors = suites.reduce((n, s) => n + s.cases.filter((c) => c.error).length, 0);
  const time = suites.reduce((t, s) => t + s.timeSeconds, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs([
      ['name', name],
      ['tests', tests],
      ['failures', failures],
      ['errors', errors],
      ['time', seconds(time)],
    ])}>`,
    ...suites.map((s, i) => suiteXml(s, i)),
    '</testsuites>',
    '',
  ].join('\n');
}
