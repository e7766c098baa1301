/**
 * Named task parameters, so keyword arguments bind the way Python binds them.
 *
 * Most Python code calls tasks by keyword (`send_task('orders.ship', kwargs={'order_id': 5})`).
 * A contract that names its parameters gets those kwargs as ordinary handler arguments:
 *
 * ```ts
 * const ship = defineTask<[orderId: number, note?: string], string>('orders.ship', { params: ['order_id', 'note?'] });
 * ```
 *
 * A trailing `?` marks an optional parameter, as `note?:` does in the tuple (the compiler insists
 * on it for optional tuple elements). Binding follows Python's: positional arguments first, then
 * keyword arguments by name; a missing optional parameter is `undefined`. Everything Python
 * would refuse with a TypeError is refused here with a TaskArgumentsError, which a Python caller
 * receives as a builtins.TypeError: too many positional arguments, a name given twice, a keyword
 * that names no parameter, a required parameter left out.
 */

/** One named parameter: the keyword a caller uses, and whether it may be left out. */
export interface TaskParam {
  readonly name: string;
  readonly optional: boolean;
}

/**
 * The names for a contract's argument tuple, one per element: `name?` for an optional element,
 * which is how the compiler keeps the list in step with the tuple's optional elements.
 */
export type ParamNames<Args extends readonly unknown[]> = {
  readonly [K in keyof Args]-?: object extends Pick<Args, K> ? `${string}?` : string;
};

/** Refused arguments; `excType` makes a Python caller's `get()` raise a real TypeError. */
export class TaskArgumentsError extends TypeError {
  readonly code = 'TASK_ARGUMENTS_INVALID';
  readonly excType = 'TypeError';
  readonly excModule = 'builtins';
  override name = 'TaskArgumentsError';
}

const PARAM_NAME = /^[A-Za-z_$][\w$]*$/;

/** Checks a `params` list (identifiers, no repeats, no required one after an optional one). */
export function compileParams(taskName: string, names: readonly string[]): readonly TaskParam[] {
  if (!Array.isArray(names)) throw new TypeError(`task ${taskName}: params must be an array of names`);
  const params = names.map((raw) => parseParam(taskName, raw));
  const seen = new Set<string>();
  params.forEach((param, index) => {
    if (seen.has(param.name)) throw new TypeError(`task ${taskName}: parameter '${param.name}' is named twice`);
    seen.add(param.name);
    if (!param.optional && index > 0 && params[index - 1]!.optional) {
      throw new TypeError(`task ${taskName}: required parameter '${param.name}' follows an optional one`);
    }
  });
  return Object.freeze(params);
}

function parseParam(taskName: string, raw: unknown): TaskParam {
  const text = typeof raw === 'string' ? raw : '';
  const optional = text.endsWith('?');
  const name = optional ? text.slice(0, -1) : text;
  if (!PARAM_NAME.test(name)) throw new TypeError(`task ${taskName}: invalid parameter name ${JSON.stringify(raw)}`);
  return Object.freeze({ name, optional });
}

/**
 * The handler's arguments, one per parameter, from a message's args and kwargs. Throws a
 * TaskArgumentsError with Python's wording where Python would raise TypeError.
 */
export function bindArguments(
  taskName: string,
  params: readonly TaskParam[],
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): unknown[] {
  if (args.length > params.length) {
    throw new TaskArgumentsError(
      `${taskName}() takes ${params.length} positional argument${params.length === 1 ? '' : 's'} but ${args.length} were given`,
    );
  }
  // Dense, not `[...args]` grown by index: a left-out optional parameter is a real undefined.
  const bound = Array.from({ length: params.length }, (_, index): unknown => args[index]);
  const given = new Set<number>(args.keys());
  for (const key of Object.keys(kwargs)) {
    const index = params.findIndex((param) => param.name === key);
    if (index < 0) throw new TaskArgumentsError(`${taskName}() got an unexpected keyword argument '${key}'`);
    if (given.has(index)) throw new TaskArgumentsError(`${taskName}() got multiple values for argument '${key}'`);
    bound[index] = kwargs[key];
    given.add(index);
  }
  const missing = params
    .filter((param, index) => !param.optional && !given.has(index))
    .map((param) => `'${param.name}'`);
  if (missing.length > 0) {
    throw new TaskArgumentsError(
      `${taskName}() missing ${missing.length} required argument${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`,
    );
  }
  return bound;
}
