import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPath, parseYamlDocuments } from '../../sim/config/yaml-source.ts';
import { parseManifestText } from '../../sim/config/manifests.ts';

describe('YAML positions', () => {
  it('positions: every node of a document has its 1-based line and column', () => {
    const text = ['a:', '  b:', '    - x', '    - {c: 1, d: [2, 3]}', 'e: "s"', ''].join('\n');
    const { docs, diagnostics } = parseYamlDocuments(text, 'f.yaml');
    expect(diagnostics).toEqual([]);
    const v = docs[0].index.values;
    expect(v.get('a.b[0]')).toEqual({ file: 'f.yaml', line: 3, col: 7 });
    expect(v.get('a.b[1].c')).toEqual({ file: 'f.yaml', line: 4, col: 11 });
    expect(v.get('a.b[1].d[1]')).toEqual({ file: 'f.yaml', line: 4, col: 21 });
    expect(docs[0].index.keys.get('e')).toEqual({ file: 'f.yaml', line: 5, col: 1 });
  });

  it('positions: paths quote keys that are not identifiers', () => {
    expect(formatPath(['spec', 'http', 0, 'match', 0, 'headers', 'end-user', 'exact'])).toBe('spec.http[0].match[0].headers.end-user.exact');
    expect(formatPath(['metadata', 'labels', 'app.kubernetes.io/name'])).toBe('metadata.labels["app.kubernetes.io/name"]');
  });

  it('positions: a later document keeps absolute line numbers', () => {
    const { docs } = parseYamlDocuments('a: 1\n---\n# c\nb:\n  c: 2\n', 'm.yaml');
    expect(docs).toHaveLength(2);
    expect(docs[1].index.values.get('b.c')).toEqual({ file: 'm.yaml', line: 5, col: 6 });
  });

  it('yaml: empty documents (bare ---, comments only) are skipped', () => {
    const { docs, diagnostics } = parseYamlDocuments('---\n# only a comment\n---\n---\na: 1\n---\n', 'e.yaml');
    expect(diagnostics).toEqual([]);
    expect(docs.map((d) => d.value)).toEqual([{ a: 1 }]);
  });

  it('yaml: broken YAML is MSH0001 at the parser line and column', () => {
    const text = readFileSync('test/fixtures/config/broken.yaml', 'utf8');
    const { docs, diagnostics } = parseYamlDocuments(text, 'test/fixtures/config/broken.yaml');
    expect(docs).toEqual([]);
    expect(diagnostics.length).toBeGreaterThan(0);
    const d = diagnostics[0];
    expect(d.code).toBe('MSH0001');
    expect(d.level).toBe('error');
    expect(d.source).toEqual({ file: 'test/fixtures/config/broken.yaml', line: 8, col: 3 });
    expect(d.message).toMatch(/^invalid YAML: /);
  });

  it('yaml: duplicate keys are an error (uniqueKeys)', () => {
    const { diagnostics } = parseYamlDocuments('a: 1\nb: 2\na: 3\n', 'd.yaml');
    expect(diagnostics[0].code).toBe('MSH0001');
    expect(diagnostics[0].message).toMatch(/unique/i);
    expect(diagnostics[0].source?.line).toBe(3);
  });

  it('yaml: an alias bomb (billion laughs) is refused with a message, not a hang', () => {
    const text = readFileSync('test/fixtures/config/alias-bomb.yaml', 'utf8');
    const t0 = performance.now();
    const r = parseManifestText(text, 'alias-bomb.yaml');
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.resources).toEqual([]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0].code).toBe('MSH0002');
    expect(r.diagnostics[0].message).toMatch(/alias bomb/);
  });

  it('yaml: a few ordinary aliases still work', () => {
    const { docs, diagnostics } = parseYamlDocuments('base: &b {x: 1}\none: *b\ntwo: *b\n', 'a.yaml');
    expect(diagnostics).toEqual([]);
    expect(docs[0].value).toEqual({ base: { x: 1 }, one: { x: 1 }, two: { x: 1 } });
  });
});
