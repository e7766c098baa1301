/**
 * The page and its scripts. A fixed list, resolved once: the shell (web/static), the compiled
 * front end (dist/web, built by `tsc -b` from web/src) and Preact's ES modules from its package,
 * which the page maps with an import map, so no bundler is needed and nothing is fetched from
 * elsewhere. Any other path is a 404: no directory is served.
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const INDEX_HTML = join(PACKAGE_ROOT, 'web/static/index.html');
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
};

const VENDOR: Readonly<Record<string, string>> = {
  'preact.mjs': 'preact',
  'hooks.mjs': 'preact/hooks',
  'jsx-runtime.mjs': 'preact/jsx-runtime',
};

export function registerAssets(app: FastifyInstance): void {
  const hide = { schema: { hide: true } };
  app.get('/', hide, (_request, reply) => send(reply, INDEX_HTML));
  app.get('/style.css', hide, (_request, reply) => send(reply, join(PACKAGE_ROOT, 'web/static/style.css')));
  app.get<{ Params: { file: string } }>('/vendor/:file', hide, (request, reply) => {
    const specifier = VENDOR[request.params.file];
    if (specifier === undefined) return reply.callNotFound();
    return send(reply, fileURLToPath(import.meta.resolve(specifier)));
  });
  app.get<{ Params: { file: string } }>('/app/:file', hide, async (request, reply) => {
    const files = await appFiles();
    if (!files.has(request.params.file)) return reply.callNotFound();
    return send(reply, join(PACKAGE_ROOT, 'dist/web', request.params.file));
  });
}

let compiled: Promise<Set<string>> | null = null;

/** The compiled front end's modules, listed once: only these names are served. */
function appFiles(): Promise<Set<string>> {
  compiled ??= readdir(join(PACKAGE_ROOT, 'dist/web')).then((names) => new Set(names.filter((n) => n.endsWith('.js'))));
  return compiled;
}

async function send(reply: FastifyReply, path: string): Promise<unknown> {
  const type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
  return reply
    .type(type)
    .header('cache-control', 'no-cache')
    .send(await readFile(path));
}
