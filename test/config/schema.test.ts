import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../sim/config/index.ts';

describe('scenario JSON Schema', () => {
  it('schema: scenarios/scenario.schema.json is generated from the zod definitions (run npm run schema when this fails)', () => {
    const committed: unknown = JSON.parse(readFileSync('scenarios/scenario.schema.json', 'utf8'));
    const fresh = scenarioJsonSchema();
    expect(committed, 'scenarios/scenario.schema.json is stale: run npm run schema').toEqual(fresh);
  });

  it('schema: strict objects forbid unknown fields, so editors flag typos too', () => {
    const s = scenarioJsonSchema() as { additionalProperties: unknown; properties: { spec: { additionalProperties: unknown; properties: Record<string, unknown> } } };
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.spec.additionalProperties).toBe(false);
    expect(Object.keys(s.properties.spec.properties)).toEqual(['seed', 'duration', 'mesh', 'sidecar', 'budgets', 'manifests', 'resources', 'workloads', 'traffic', 'timeline', 'expect', 'tokens']);
  });
});
