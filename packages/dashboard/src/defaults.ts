/**
 * The dashboard's defaults, alone in a module the CLI can import (`@celeriac/dashboard/defaults`)
 * to describe its options without loading the server (fastify): every other command starts
 * without it.
 */
export const DEFAULT_DASHBOARD_PORT = 5555;
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';
/** The environment variable holding the token of `--auth bearer`. */
export const TOKEN_ENV = 'CELERIAC_DASHBOARD_TOKEN';
