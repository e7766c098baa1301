/**
 * Before a canvas is sent, every part gets what its result handle and its later sends need, as
 * Celery's `freeze()` does: a task id, the reply queue (rpc://), and here also its queue, since
 * a later step is sent by a worker that knows neither this client's routes nor its default queue.
 */
import { randomId, type ResultReader } from '@celeriac/core';
import type { Signature } from '@celeriac/protocol';
import { AsyncResult, type ParentResult } from './async-result.js';
import { GroupResult } from './group-result.js';

export interface FreezeContext {
  replyTo: string | null;
  /** The queue of a task that names none. */
  route: (task: string) => string;
}

/** A frozen copy of `sig`: ids, reply queue and queue set on every task, callbacks included. */
export function freeze(sig: Signature, context: FreezeContext): Signature {
  const options: Record<string, unknown> = { ...sig.options };
  for (const key of ['link', 'link_error'])
    if (Array.isArray(options[key])) options[key] = (options[key] as Signature[]).map((cb) => routed(cb, context));
  if (sig.subtask_type === null) return frozenTask(sig, options, context);
  options.task_id ??= randomId();
  const kwargs = { ...sig.kwargs, tasks: partsOf(sig).map((part) => freeze(part, context)) };
  return { ...sig, kwargs, options };
}

function frozenTask(sig: Signature, options: Record<string, unknown>, context: FreezeContext): Signature {
  options.task_id ??= randomId();
  if (context.replyTo) options.reply_to ??= context.replyTo;
  options.queue ??= context.route(routedName(sig));
  return { ...sig, options };
}

/** celery.map and celery.starmap run where their task is registered: routed by its name. */
function routedName(sig: Signature): string {
  const inner = sig.kwargs.task as Signature | undefined;
  const isMap = sig.task === 'celery.map' || sig.task === 'celery.starmap';
  return isMap && typeof inner?.task === 'string' ? inner.task : sig.task;
}

/** Callbacks of a single send, routed as freeze() routes a canvas's. */
export function routeCallbacks(sigs: readonly Signature[], route: FreezeContext['route']): Signature[] {
  return sigs.map((sig) => routed(sig, { replyTo: null, route }));
}

/** Callbacks get a queue on every task, not an id: each call of one is a new task. */
function routed(sig: Signature, context: FreezeContext): Signature {
  if (sig.subtask_type === null) return { ...sig, options: { queue: context.route(routedName(sig)), ...sig.options } };
  return { ...sig, kwargs: { ...sig.kwargs, tasks: partsOf(sig).map((part) => routed(part, context)) } };
}

/** The result handle of a frozen canvas: a chain's is its last step's, with `parent` going back. */
export function handleOf(
  sig: Signature,
  reader: ResultReader | null,
  parent: ParentResult | null = null,
): AsyncResult | GroupResult {
  const id = sig.options.task_id as string;
  if (sig.subtask_type === 'group')
    return new GroupResult(
      id,
      partsOf(sig).map((part) => handleOf(part, reader) as AsyncResult),
      parent,
    );
  if (sig.subtask_type === 'chain') {
    let last: AsyncResult | GroupResult | null = null;
    for (const step of partsOf(sig)) last = handleOf(step, reader, last ?? parent);
    if (last) return last;
  }
  return new AsyncResult(id, reader, parent);
}

/** Callbacks on the canvas as a whole, as Celery's apply_async(link=, link_error=): on its last step, errbacks on every task. */
export function withLinks(sig: Signature, links: readonly Signature[], errbacks: readonly Signature[]): Signature {
  if (!links.length && !errbacks.length) return sig;
  if (sig.subtask_type === 'chain') {
    const steps = partsOf(sig);
    const tasks = steps.map((step, index) => withLinks(step, index === steps.length - 1 ? links : [], errbacks));
    return { ...sig, kwargs: { ...sig.kwargs, tasks } };
  }
  if (sig.subtask_type === 'group') {
    const tasks = partsOf(sig).map((member) => withLinks(member, links, errbacks));
    return { ...sig, kwargs: { ...sig.kwargs, tasks } };
  }
  const options = { ...sig.options };
  if (links.length) options.link = [...list(options.link), ...links];
  if (errbacks.length) options.link_error = [...list(options.link_error), ...errbacks];
  return { ...sig, options };
}

function partsOf(sig: Signature): Signature[] {
  return Array.isArray(sig.kwargs.tasks) ? (sig.kwargs.tasks as Signature[]) : [];
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value == null ? [] : [value];
}
