/**
 * `meshsim serve [scenario]`: serves the browser sandbox (viz/dist, built first when missing) and
 * the scenario folder on 127.0.0.1 only. Two roots and nothing else: `/…` maps into the app
 * folder, `/scenarios/…` into the scenario folder (the given scenario's folder, or the repository's
 * scenarios/). Any path with a `..` segment (raw or percent-encoded), a backslash, a NUL, a
 * dot-file, or one that resolves (through symlinks too) outside its root is refused with 403.
 */
import { existsSync, realpathSync, statSync, createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.ts';

/** The only address meshsim serve binds to. */
export const SERVE_HOST = '127.0.0.1';
export const DEFAULT_SERVE_PORT = 5173;
const MAX_SERVED_BYTES = 64 * 1024 * 1024;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_APP_DIR = join(repoRoot, 'viz', 'dist');
export const DEFAULT_SCENARIO_DIR = join(repoRoot, 'scenarios');
const VIZ_CONFIG = join(repoRoot, 'viz', 'vite.config.ts');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Files the scenario folder may hand out; everything else there is refused. */
const SCENARIO_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export type PathDecision = { kind: 'file'; path: string; root: 'app' | 'scenarios' } | { kind: 'refused'; status: 400 | 403 | 404; reason: string };

export interface ServeRoots {
  appDir: string;
  scenarioDir: string;
}

/** Maps a request target to a file inside one of the two roots, or says why not. Pure but for realpath/stat. */
export function resolveRequestPath(target: string, roots: ServeRoots): PathDecision {
  if (!target.startsWith('/')) return { kind: 'refused', status: 400, reason: 'request target must be a path' };
  const rawPath = target.split(/[?#]/, 1)[0]!;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'refused', status: 400, reason: 'bad percent-encoding' };
  }
  if (path.includes('\0') || path.includes('\\')) return { kind: 'refused', status: 403, reason: 'forbidden character in path' };
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { kind: 'refused', status: 403, reason: 'path leaves the served folders' };
  if (segments.some((s) => s.startsWith('.'))) return { kind: 'refused', status: 403, reason: 'dot-files are not served' };

  let rootName: 'app' | 'scenarios' = 'app';
  let root = roots.appDir;
  let rest = segments;
  if (segments[0] === 'scenarios') {
    rootName = 'scenarios';
    root = roots.scenarioDir;
    rest = segments.slice(1);
    if (rest.length === 0 || !SCENARIO_EXTENSIONS.has(extname(rest[rest.length - 1]!).toLowerCase())) {
      return { kind: 'refused', status: 404, reason: 'only scenario files are served from /scenarios/' };
    }
  } else if (rest.length === 0 || path.endsWith('/')) {
    rest = [...rest, 'index.html'];
  }

  const full = resolve(root, ...rest);
  if (!inside(root, full)) return { kind: 'refused', status: 403, reason: 'path leaves the served folders' };
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return { kind: 'refused', status: 404, reason: 'not found' };
  }
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return { kind: 'refused', status: 404, reason: 'not found' };
  }
  if (!inside(realRoot, real)) return { kind: 'refused', status: 403, reason: 'path leaves the served folders' };
  try {
    const st = statSync(real);
    if (!st.isFile()) return { kind: 'refused', status: 404, reason: 'not a file' };
    if (st.size > MAX_SERVED_BYTES) return { kind: 'refused', status: 403, reason: 'file too large' };
  } catch {
    return { kind: 'refused', status: 404, reason: 'not found' };
  }
  return { kind: 'file', path: real, root: rootName };
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

export interface StaticServerOptions extends ServeRoots {
  /** 0 picks a free port. */
  port: number;
}

export interface RunningServer {
  /** Base URL with a trailing slash, e.g. "http://127.0.0.1:5173/". */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the static server on 127.0.0.1 (never another interface). */
export function startStaticServer(opts: StaticServerOptions): Promise<RunningServer> {
  const roots: ServeRoots = { appDir: resolve(opts.appDir), scenarioDir: resolve(opts.scenarioDir) };
  let port = opts.port;
  const server: Server = createServer((req, res) => handle(req, res, roots, port));
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen({ host: SERVE_HOST, port: opts.port, exclusive: true }, () => {
      server.off('error', reject);
      const addr = server.address();
      port = typeof addr === 'object' && addr ? addr.port : opts.port;
      resolvePromise({
        url: `http://${SERVE_HOST}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function handle(req: IncomingMessage, res: ServerResponse, roots: ServeRoots, port: number): void {
  const baseHeaders = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  const refuse = (status: number, message: string): void => {
    res.writeHead(status, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : `${status} ${message}\n`);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    refuse(405, 'method not allowed');
    return;
  }
  // DNS rebinding: a page from another site that resolves its name to 127.0.0.1 must not read
  // the scenario folder. Only loopback host names are answered.
  const host = (req.headers.host ?? '').toLowerCase();
  if (host !== `${SERVE_HOST}:${port}` && host !== `localhost:${port}`) {
    refuse(403, 'unexpected Host header');
    return;
  }
  const decision = resolveRequestPath(req.url ?? '/', roots);
  if (decision.kind === 'refused') {
    refuse(decision.status, decision.reason);
    return;
  }
  const type = CONTENT_TYPES[extname(decision.path).toLowerCase()] ?? 'application/octet-stream';
  const size = statSync(decision.path).size;
  res.writeHead(200, { ...baseHeaders, 'Content-Type': type, 'Content-Length': String(size) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(decision.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Builds the browser app with Vite (a dev dependency, loaded only when needed). */
export async function buildViz(outDir?: string): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new UsageError('building the browser app needs the dev dependencies; run `npm install` first');
  }
  await vite.build({ configFile: VIZ_CONFIG, logLevel: 'warn', ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}) });
}

export interface ServeArgs {
  scenario?: string;
  port?: string;
  /** Rebuild the app even when viz/dist exists. */
  build: boolean;
}

export interface ServeDeps {
  appDir?: string;
  builder?: (appDir: string) => Promise<void>;
  /** Progress and notes (stderr by default). */
  log?: (line: string) => void;
  /** The URL line (stdout by default). */
  print?: (line: string) => void;
}

/** Resolves the roots, builds the app when needed and starts serving. Resolves once listening. */
export async function serveCommand(args: ServeArgs, deps: ServeDeps = {}): Promise<RunningServer> {
  const log = deps.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const print = deps.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const port = args.port === undefined ? DEFAULT_SERVE_PORT : parsePort(args.port);
  let scenarioDir = DEFAULT_SCENARIO_DIR;
  let query = '';
  if (args.scenario !== undefined) {
    const file = resolve(args.scenario);
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`scenario file not found: ${args.scenario}`);
    scenarioDir = dirname(file);
    query = `?scenario=${encodeURIComponent(basename(file))}`;
  }
  const appDir = deps.appDir ?? DEFAULT_APP_DIR;
  if (args.build || !existsSync(join(appDir, 'index.html'))) {
    log(`meshsim serve: building the browser app into ${relative(process.cwd(), appDir) || appDir} …`);
    await (deps.builder ?? ((dir: string) => buildViz(dir)))(appDir);
  }
  let server: RunningServer;
  try {
    server = await startStaticServer({ appDir, scenarioDir, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${SERVE_HOST} is in use; pick another with --port`);
    if (code === 'EACCES') throw new UsageError(`not allowed to listen on port ${port}; pick another with --port`);
    throw e;
  }
  print(`${server.url}${query}`);
  log(`meshsim serve: app ${appDir}, scenarios ${scenarioDir}; listening on ${SERVE_HOST} only. Ctrl+C stops.`);
  return server;
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--port expects a number from 0 to 65535, got "${text}"`);
  return Number(text);
}
