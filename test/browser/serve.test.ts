/**
 * `meshsim serve`: loopback only, two roots (app and scenario folder), nothing outside them —
 * raw or percent-encoded `..`, backslashes, NUL, dot-files, symlinks out, foreign Host headers.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../sim/cli/errors.ts';
import { serveCommand, startStaticServer, SERVE_HOST, type RunningServer } from '../../sim/cli/serve-command.ts';

const SECRET = 'top-secret-package-json';

interface Reply {
  status: number;
  body: string;
  type: string | undefined;
}

/** Sends the request target exactly as given (no client-side normalisation of `..`). */
function get(port: number, path: string, opts: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: SERVE_HOST, port, path, method: opts.method ?? 'GET', headers: { host: opts.host ?? `${SERVE_HOST}:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

let root = '';
let appDir = '';
let scenarioDir = '';
let server: RunningServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'meshsim-serve-'));
  appDir = join(root, 'app');
  scenarioDir = join(root, 'scenarios');
  mkdirSync(join(appDir, 'assets'), { recursive: true });
  mkdirSync(join(scenarioDir, 'sub'), { recursive: true });
  writeFileSync(join(root, 'package.json'), SECRET);
  writeFileSync(join(appDir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(appDir, 'assets', 'a.js'), 'export {};');
  writeFileSync(join(scenarioDir, 's.yaml'), 'kind: Scenario\n');
  writeFileSync(join(scenarioDir, 'sub', 'm.yaml'), 'kind: Service\n');
  writeFileSync(join(scenarioDir, 'notes.txt'), 'not a scenario file');
  writeFileSync(join(scenarioDir, '.hidden.yaml'), 'hidden');
  symlinkSync(join(root, 'package.json'), join(appDir, 'link.json'));
  symlinkSync(join(root, 'package.json'), join(scenarioDir, 'link.yaml'));
  server = await startStaticServer({ appDir, scenarioDir, port: 0 });
});

afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('meshsim serve: static server', () => {
  it('startStaticServer(port 0): listens on 127.0.0.1 at a free port and serves the app and scenario files', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.port).toBeGreaterThan(0);
    expect(await get(server.port, '/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(await get(server.port, '/index.html?x=1#y')).toMatchObject({ status: 200 });
    expect(await get(server.port, '/assets/a.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(await get(server.port, '/scenarios/s.yaml')).toMatchObject({ status: 200, body: 'kind: Scenario\n', type: 'text/yaml; charset=utf-8' });
    expect(await get(server.port, '/scenarios/sub/m.yaml')).toMatchObject({ status: 200 });
    expect(await get(server.port, '/scenarios/sub%2Fm.yaml')).toMatchObject({ status: 200 });
    expect((await get(server.port, '/', { method: 'HEAD' })).status).toBe(200);
  });

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E/package.json',
    '/%2e%2e%2fpackage.json',
    '/assets/../../package.json',
    '/scenarios/../package.json',
    '/scenarios/..%2f..%2fpackage.json',
    '/scenarios/%2e%2e/%2e%2e/package.json',
    '/scenarios/../app/index.html',
    '/..%5cpackage.json',
    '/%5c..%5cpackage.json',
    '/index.html%00.yaml',
    '/link.json',
    '/scenarios/link.yaml',
    '/scenarios/.hidden.yaml',
    '/.%2e/package.json',
  ])('GET %s: refused with 403, nothing from outside leaks', async (path) => {
    const r = await get(server.port, path);
    expect(r.status).toBe(403);
    expect(r.body).not.toContain(SECRET);
  });

  it('GET of other files in the scenario folder, missing files, folders and bad encodings: 404 or 400, never 200', async () => {
    expect((await get(server.port, '/scenarios/notes.txt')).status).toBe(404);
    expect((await get(server.port, '/scenarios/')).status).toBe(404);
    expect((await get(server.port, '/scenarios/sub')).status).toBe(404);
    expect((await get(server.port, '/missing.js')).status).toBe(404);
    expect((await get(server.port, '/assets')).status).toBe(404);
    expect((await get(server.port, '/%E0%A4%A')).status).toBe(400);
    expect((await get(server.port, '/%252e%252e/package.json')).status).toBe(404);
  });

  it('answers only GET and HEAD, and only for loopback Host headers (DNS rebinding)', async () => {
    expect((await get(server.port, '/', { method: 'POST' })).status).toBe(405);
    expect((await get(server.port, '/', { method: 'PUT' })).status).toBe(405);
    expect((await get(server.port, '/', { host: 'evil.example:80' })).status).toBe(403);
    expect((await get(server.port, '/scenarios/s.yaml', { host: `attacker.test:${server.port}` })).status).toBe(403);
    expect((await get(server.port, '/', { host: `localhost:${server.port}` })).status).toBe(200);
  });
});

describe('meshsim serve: command', () => {
  it('serveCommand(scenario, --port 0) with no build yet: builds first, serves the scenario folder, prints the URL', async () => {
    const fresh = join(root, 'fresh-app');
    const built: string[] = [];
    const printed: string[] = [];
    const running = await serveCommand(
      { scenario: join(scenarioDir, 's.yaml'), port: '0', build: false },
      {
        appDir: fresh,
        builder: async (dir) => {
          built.push(dir);
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'index.html'), 'built');
        },
        log: () => {},
        print: (line) => printed.push(line),
      },
    );
    try {
      expect(built).toEqual([fresh]);
      expect(printed).toEqual([`http://127.0.0.1:${running.port}/?scenario=s.yaml`]);
      expect(await get(running.port, '/')).toMatchObject({ status: 200, body: 'built' });
      expect(await get(running.port, '/scenarios/sub/m.yaml')).toMatchObject({ status: 200 });
    } finally {
      await running.close();
    }
  });

  it('serveCommand with an existing build: does not rebuild unless --build', async () => {
    let builds = 0;
    const deps = { appDir, builder: async () => void builds++, log: () => {}, print: () => {} };
    const a = await serveCommand({ port: '0', build: false }, deps);
    await a.close();
    expect(builds).toBe(0);
    const b = await serveCommand({ port: '0', build: true }, deps);
    await b.close();
    expect(builds).toBe(1);
  });

  it('serveCommand: a bad --port, a missing scenario or a busy port is a usage error (exit 2)', async () => {
    const deps = { appDir, log: () => {}, print: () => {} };
    await expect(serveCommand({ port: '99999', build: false }, deps)).rejects.toBeInstanceOf(UsageError);
    await expect(serveCommand({ port: 'http', build: false }, deps)).rejects.toBeInstanceOf(UsageError);
    await expect(serveCommand({ scenario: join(root, 'nope.yaml'), port: '0', build: false }, deps)).rejects.toThrow(/scenario file not found/);
    await expect(serveCommand({ port: String(server.port), build: false }, deps)).rejects.toThrow(/in use/);
  });
});
