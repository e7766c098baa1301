/**
 * Canvas: task signatures, chains, groups and chords, typed from end to end. Each canvas carries
 * two types: `In`, the value it takes as first argument when it follows another step (a chain's
 * previous result, a chord's header results), and `Out`, what its result is. A signature with
 * all its arguments takes nothing (`never`), an immutable one (`si`) ignores what it is given
 * (`unknown`). The wire form is @celeriac/protocol's (canvas-dicts.ts).
 *
 * ```ts
 * const flow = chain(inspect.s(orderId), writeReport.s(), notify.si(crewId));
 * const all = chord(group(close.s(1), close.s(2)), summarise.s());
 * ```
 */
import {
  chainSignature,
  chordSignature,
  groupSignature,
  readSignatures,
  taskSignature,
  type Signature,
} from '@celeriac/protocol';
import { InvalidArgumentError } from './errors.js';

/** Celery's apply_async options a signature carries (`queue`, `countdown`, `priority`, ...), by their wire names. */
export type SignatureOptions = Readonly<Record<string, unknown>>;

/** Anything that can be sent, chained or grouped. */
export abstract class Canvas<In, Out> {
  /** Type-level only: never set at run time. */
  declare readonly __in: In;
  declare readonly __out: Out;
  /** The signature as Celery serialises it. */
  abstract toSignature(): Signature;
}

export type CanvasInput<C> = C extends { readonly __in: infer I } ? I : never;
export type CanvasResult<C> = C extends { readonly __out: infer O } ? O : never;
/** Any canvas, whatever its types. */
export type AnyCanvas = Canvas<never, unknown> | Canvas<unknown, unknown>;

/** One task with some or all of its arguments: `add.s(2, 3)`, `add.s(2)` (chained: add(previous, 2)), `add.si(2, 3)`. */
export class TaskSignature<In, Out> extends Canvas<In, Out> {
  constructor(
    readonly task: string,
    readonly args: readonly unknown[],
    readonly kwargs: Readonly<Record<string, unknown>> = {},
    readonly options: SignatureOptions = {},
    readonly immutable = false,
  ) {
    super();
  }

  /** The same signature with more options, e.g. `.set({ queue: 'reports' })`. */
  set(options: SignatureOptions): TaskSignature<In, Out> {
    return new TaskSignature(this.task, this.args, this.kwargs, { ...this.options, ...options }, this.immutable);
  }

  /** Called with this task's result when it succeeds (Celery's `link`). */
  link(callback: Canvas<Out, unknown> | Canvas<unknown, unknown>): TaskSignature<In, Out> {
    return this.set({ link: [...listOption(this.options.link), callback.toSignature()] });
  }

  /** Called with this task's id when it fails (Celery's `link_error`). */
  linkError(errback: Canvas<string, unknown> | Canvas<unknown, unknown>): TaskSignature<In, Out> {
    return this.set({ link_error: [...listOption(this.options.link_error), errback.toSignature()] });
  }

  toSignature(): Signature {
    return taskSignature(this.task, this.args, this.kwargs, this.options, this.immutable);
  }
}

/** Steps run one after the other, each given the previous one's result. */
export class Chain<In, Out> extends Canvas<In, Out> {
  constructor(readonly steps: readonly AnyCanvas[]) {
    super();
  }

  toSignature(): Signature {
    return chainSignature(this.steps.map((step) => step.toSignature()));
  }
}

/** Tasks run in parallel; the result is the tuple of their results, in order. */
export class Group<In, Out extends readonly unknown[]> extends Canvas<In, Out> {
  constructor(readonly members: readonly AnyCanvas[]) {
    super();
  }

  toSignature(): Signature {
    return groupSignature(this.members.map((member) => member.toSignature()));
  }
}

/** A group whose results, once all are in, are given to one callback. */
export class Chord<Out> extends Canvas<never, Out> {
  constructor(
    readonly header: Group<unknown, readonly unknown[]>,
    readonly body: AnyCanvas,
  ) {
    super();
  }

  toSignature(): Signature {
    return chordSignature(
      this.header.members.map((member) => member.toSignature()),
      this.body.toSignature(),
    );
  }
}

/** Each step's input must accept the previous step's result; a mismatch makes that step `never`. */
export type CheckedChain<T extends readonly unknown[], Prev = undefined> = T extends readonly [infer H, ...infer R]
  ? [Prev extends undefined ? H : [CanvasResult<Prev>] extends [CanvasInput<H>] ? H : never, ...CheckedChain<R, H>]
  : [];

type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : never;
type ResultsOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: CanvasResult<T[K]> };
type InputsOf<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R]
  ? CanvasInput<H> & InputsOf<R>
  : unknown;

/** `chain(a, b, c)`: b gets a's result as first argument, c gets b's; the result is c's. */
export function chain<const T extends readonly [AnyCanvas, ...AnyCanvas[]]>(
  ...steps: T & CheckedChain<T>
): Chain<CanvasInput<T[0]>, CanvasResult<Last<T>>> {
  steps.slice(0, -1).forEach(refuseInnerGroup);
  return new Chain(steps);
}

/** `group(a, b, c)`: the result is the tuple of a's, b's and c's results. */
export function group<const T extends readonly AnyCanvas[]>(...members: T): Group<InputsOf<T>, ResultsOf<T>> {
  if (members.length === 0) throw new InvalidArgumentError('a group needs at least one task');
  return new Group(members);
}

/** `chord(group(a, b), callback)`: the callback gets the tuple of the header's results. */
export function chord<
  H extends Group<never, readonly unknown[]> | Group<unknown, readonly unknown[]>,
  B extends AnyCanvas,
>(header: H, callback: B & ([CanvasResult<H>] extends [CanvasInput<B>] ? unknown : never)): Chord<CanvasResult<B>> {
  return new Chord(header, callback);
}

/** `signature('name', args, kwargs, options)`: a task known only by name, e.g. a Python one; untyped. */
export function signature<Out = unknown>(
  task: string,
  args: readonly unknown[] = [],
  kwargs: Readonly<Record<string, unknown>> = {},
  options: SignatureOptions = {},
): TaskSignature<unknown, Out> {
  return new TaskSignature(task, args, kwargs, options);
}

/** A canvas as it was serialised (a stored schedule's chain or group), sent as it is; untyped. */
export class SerialisedCanvas extends Canvas<unknown, unknown> {
  constructor(readonly signature: Signature) {
    super();
  }

  toSignature(): Signature {
    return this.signature;
  }
}

/** Task names under which a schedule stores a canvas: Celery's own names for them. */
export const CANVAS_TASKS: Readonly<Record<string, 'chain' | 'group'>> = {
  'celery.chain': 'chain',
  'celery.group': 'group',
};

/**
 * The `task` and `kwargs` of a schedule that fires `canvas` (beat sends it whole at every slot),
 * stored as Celery serialises it, so a schedule file or `celeriac schedule` edits it like any other:
 * `{ name: 'nightly', schedule, ...scheduledCanvas(chain(close.s(), summarise.s())) }`.
 */
export function scheduledCanvas(canvas: Chain<unknown, unknown> | Group<unknown, readonly unknown[]>): {
  task: string;
  kwargs: Record<string, unknown>;
} {
  const sig = canvas.toSignature();
  return { task: sig.task, kwargs: JSON.parse(JSON.stringify(sig.kwargs)) as Record<string, unknown> };
}

/** The canvas a schedule's task and kwargs describe, or null for a plain task. */
export function canvasOfSchedule(task: string, kwargs: Readonly<Record<string, unknown>>): SerialisedCanvas | null {
  const kind = CANVAS_TASKS[task];
  if (!kind) return null;
  const tasks = readSignatures(kwargs.tasks, `${task}.kwargs.tasks`) ?? [];
  if (tasks.length === 0) throw new InvalidArgumentError(`a ${kind} needs at least one task in kwargs.tasks`);
  const sig = kind === 'chain' ? chainSignature(tasks) : groupSignature(tasks);
  return new SerialisedCanvas(sig);
}

/** Celery's xmap / xstarmap: `celery.map` or `celery.starmap` with the task and its items, immutable. */
export function xmap<Out>(
  builtin: 'celery.map' | 'celery.starmap',
  task: string,
  items: readonly unknown[],
): TaskSignature<unknown, Out[]> {
  const inner = taskSignature(task, [], {}, {}, false);
  return new TaskSignature(builtin, [], { task: inner, it: [...items] }, {}, true);
}

/** Celery's `chunks(task, items, n).group()`: a group of starmaps over `n` items each. */
export function chunks<Out>(
  task: string,
  items: readonly (readonly unknown[])[],
  size: number,
): Group<unknown, Out[][]> {
  if (!(Number.isInteger(size) && size > 0))
    throw new InvalidArgumentError('chunks needs a chunk size that is an integer > 0');
  const parts: TaskSignature<unknown, Out[]>[] = [];
  for (let start = 0; start < items.length; start += size)
    parts.push(xmap<Out>('celery.starmap', task, items.slice(start, start + size)));
  if (parts.length === 0) throw new InvalidArgumentError('chunks needs at least one item');
  return new Group(parts);
}

/**
 * A group in the middle of a chain is a chord in Celery (it waits for all its results): built
 * with chord() explicitly, so a chain never runs its next step once per group member.
 */
function refuseInnerGroup(step: AnyCanvas, index: number): void {
  if (step instanceof Group)
    throw new InvalidArgumentError(`step ${index} of the chain is a group: use chord(group, next) to join its results`);
}

function listOption(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
