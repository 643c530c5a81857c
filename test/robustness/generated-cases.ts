/**
 * Catalogue cases written at test time into a temporary folder: files too big to keep in git
 * (over 10 MiB), nesting 10 000 levels deep, and the line-ending and byte-order-mark variants of a
 * valid scenario that must keep working.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_YAML_DEPTH } from '../../sim/config/limits.ts';
import type { HostileCase } from './hostile-cases.ts';

const FIXTURES = 'test/fixtures/hostile';
const HEAD = 'apiVersion: meshsim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: generated}\nspec:\n';
const TRAFFIC = '  duration: 1s\n  manifests: [platform.yaml]\n  traffic:\n    - {name: c, from: sleep, url: "http://web:8080/", rate: 10/s}\n';
const DEEP = 10_000;

export interface Generated {
  failing: HostileCase[];
  /** Valid scenarios in unusual encodings: they must run (exit 0). */
  working: { what: string; file: string }[];
}

/** Writes the generated fixtures into `dir` (paths in the cases are absolute). */
export function generateCases(dir: string, root: string): Generated {
  copyFileSync(join(root, FIXTURES, 'platform.yaml'), join(dir, 'platform.yaml'));
  const write = (name: string, text: string | Buffer): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const failing: HostileCase[] = [];

  // Over the 10 MiB limit: refused before a byte is parsed.
  const padding = `# ${'padding '.repeat(127)}\n`.repeat(11 * 1024);
  const huge = write('huge.yaml', HEAD + TRAFFIC + padding);
  failing.push({ what: 'a scenario file over 10 MiB', file: huge, at: `${huge}:1:1`, message: /cannot read scenario .*file is larger than the 10 MiB limit/ });
  write('huge-manifest.yaml', padding);
  const hugeRef = write('names-huge-manifest.yaml', HEAD + TRAFFIC.replace('[platform.yaml]', '[platform.yaml, huge-manifest.yaml]'));
  failing.push({ what: 'a manifest over 10 MiB', file: hugeRef, at: `${hugeRef}:6:30`, message: /cannot read manifest .*huge-manifest\.yaml': file is larger than the 10 MiB limit/ });

  // Under 10 MiB but millions of nodes: parsing it would take minutes and gigabytes.
  const nodes = write('many-nodes.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: many}\ndata: [${'1,'.repeat(1_000_000)}1]\n`);
  const nodesRef = write('names-many-nodes.yaml', HEAD + TRAFFIC.replace('[platform.yaml]', '[platform.yaml, many-nodes.yaml]'));
  failing.push({ what: 'a manifest with a million YAML nodes', file: nodesRef, at: `${nodes}:1:1`, message: /MSH0002: file has too many YAML nodes \(about 1000\d{3}, the limit is 250000\)/ });

  // One mapping with 10 000 keys (yaml's own duplicate-key check, quadratic, would take seconds), every key
  // a mistake: the first errors are printed, then how many more there are.
  const keys = Array.from({ length: 10_000 }, (_, i) => `    nobody${i}: {concurrency: 1}\n`).join('');
  const wide = write('wide.yaml', HEAD + TRAFFIC + `  workloads:\n${keys}`);
  failing.push({ what: 'a mapping with 10 000 keys, each naming nothing', file: wide, at: `${wide}:10:5`, message: /workload 'nobody0' names no Deployment[\s\S]*\.\.\. and 9900 more problems not shown/ });

  // 10 000 levels of nesting, flow style and block style. Depth counts the document's own
  // mappings: the top level is 1 and spec is 2, so the first refused collection is number
  // MAX_YAML_DEPTH - 1 of the nest.
  const flowPrefix = '  resources: ';
  const flow = write('deep-flow.yaml', `${HEAD}${flowPrefix}${'['.repeat(DEEP)}${']'.repeat(DEEP)}\n`);
  failing.push({ what: 'flow lists nested 10 000 deep', file: flow, at: `${flow}:5:${flowPrefix.length + MAX_YAML_DEPTH - 1}`, message: /MSH0002: YAML nested too deeply \(more than 100 levels/ });
  const block = write('deep-block.yaml', `${HEAD}  resources:\n    ${'- '.repeat(DEEP)}x\n`);
  failing.push({ what: 'block lists nested 10 000 deep', file: block, at: `${block}:6:${5 + 2 * (MAX_YAML_DEPTH - 2)}`, message: /MSH0002: YAML nested too deeply/ });

  failing.push({ what: 'a scenario file that does not exist', file: join(dir, 'missing.yaml'), at: null, message: /error MSH0003: cannot read scenario '.*missing\.yaml': file not found/ });

  // Encodings and line endings people's editors produce: all must work.
  const base = readFileSync(join(root, FIXTURES, 'base.yaml'), 'utf8');
  const crlf = base.replace(/\n/g, '\r\n');
  const working = [
    { what: 'CRLF line endings', file: write('crlf.yaml', crlf) },
    { what: 'a UTF-8 byte order mark', file: write('bom.yaml', `\uFEFF${base}`) },
    { what: 'a byte order mark and CRLF', file: write('bom-crlf.yaml', `\uFEFF${crlf}`) },
    { what: 'tabs between tokens and inside quotes (not as indentation)', file: write('tabs.yaml', base.replace('rate: 10/s}', 'rate:\t10/s,\theaders: {x-note: "a\tb"}}').replace('name: base}', 'name:\tbase}')) },
  ];
  return { failing, working };
}
