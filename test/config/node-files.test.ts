import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFiles } from '../../sim/cli/node-files.ts';

describe('Node FileSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshsim-files-'));
  writeFileSync(join(dir, 'ok.yaml'), 'a: é\n');
  writeFileSync(join(dir, 'latin1.yaml'), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
  writeFileSync(join(dir, 'big.yaml'), 'x'.repeat(2048));
  mkdirSync(join(dir, 'folder'));
  const files = nodeFiles({ cwd: dir });

  it('files: UTF-8 text is read', () => expect(files.read('ok.yaml')).toEqual({ ok: true, text: 'a: é\n' }));
  it('files: bytes that are not UTF-8 are refused', () => expect(files.read('latin1.yaml')).toMatchObject({ ok: false, reason: 'not-utf8', at: { line: 1, col: 4 } }));
  it('files: a directory is refused', () => expect(files.read('folder')).toEqual({ ok: false, reason: 'is-directory' }));
  it('files: a missing file is reported as missing', () => expect(files.read('nope.yaml')).toMatchObject({ ok: false, reason: 'missing' }));
  it('files: files over the size limit (10 MiB by default) are refused', () => {
    expect(nodeFiles({ cwd: dir, maxBytes: 1024 }).read('big.yaml')).toMatchObject({ ok: false, reason: 'too-large' });
  });
  it('files: with a root, paths outside it are refused', () => {
    expect(nodeFiles({ cwd: dir, root: 'folder' }).read('ok.yaml')).toEqual({ ok: false, reason: 'outside-root' });
  });
});
