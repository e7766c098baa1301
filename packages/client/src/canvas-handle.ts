import type { AnyCanvas, CanvasResult } from '@celeriac/core';
import type { AsyncResult } from './async-result.js';
import type { GroupResult } from './group-result.js';
import type { SendOptions } from './send-options.js';

/** What sending a canvas gives: a group's GroupResult, else the result of its (last) task. */
export type CanvasHandle<C extends AnyCanvas> = C extends { readonly members: readonly AnyCanvas[] }
  ? GroupResult<CanvasResult<C> & readonly unknown[]>
  : AsyncResult<CanvasResult<C>>;

/** How to send a canvas: the queue of the tasks that name none, and callbacks on the whole. */
export type CanvasSendOptions = Pick<SendOptions, 'queue' | 'link' | 'linkError'>;
