import { ConfigurationError } from '@celeriac/core';

/**
 * Client-side routing, as Celery's `task_routes`: a task name or an fnmatch-style glob
 * (`*` any run of characters, dots included; `?` one character) mapped to a queue. Exact names
 * win over globs; among globs the first one listed wins. A send's own `queue` beats all routes.
 */
export type Routes = Record<string, string>;

export type Router = (taskName: string) => string | undefined;

export function compileRoutes(routes: Routes = {}): Router {
  const exact = new Map<string, string>();
  const globs: Array<[RegExp, string]> = [];
  for (const [pattern, queue] of Object.entries(routes)) {
    if (typeof queue !== 'string' || !queue)
      throw new ConfigurationError(`route "${pattern}" must map to a queue name`);
    if (/[*?]/.test(pattern)) globs.push([globToRegExp(pattern), queue]);
    else exact.set(pattern, queue);
  }
  return (taskName) => exact.get(taskName) ?? globs.find(([regex]) => regex.test(taskName))?.[1];
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}
