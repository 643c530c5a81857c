/**
 * A scratch folder holding the check fixtures next to a copy of scenarios/bookinfo, because a
 * scenario may only name files in its own folder or below it.
 */
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

export function fixtureWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshsim-check-'));
  cpSync(join(ROOT, 'scenarios', 'bookinfo'), join(dir, 'bookinfo'), { recursive: true });
  const fixtures = join(ROOT, 'test', 'check', 'fixtures');
  for (const f of readdirSync(fixtures)) cpSync(join(fixtures, f), join(dir, f));
  return dir;
}
