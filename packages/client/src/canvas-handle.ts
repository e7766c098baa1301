import type { AnyCanvas, CanvasResult } from '@celeriac/core';
import type { AsyncResult } from './async-result.js';
import type { GroupResult } from './group-result.js';
import type { SendOptions } from './send-options.js';

/** What sending a canvas gives: a group's GroupResult, else the result of its (last) task. */
export type CanvasHandle<C extends AnyCanvas> = C extends { readonly members: readonly AnyCanvas[] }
  ? GroupResult<CanvasResult<C> & readonly unknown[]>
  : AsyncResult<CanvasResult<C>>;

/** How to send a canvas: the queue of the tasks that name none, and callbacks on the whole. */
export interface CanvasSendOptions extends Pick<SendOptions, 'queue' | 'link' | 'linkError'> {
  /**
   * How a chord's header is joined. 'counter': the Celeriac worker that finishes the last header
   * task sends the body, no polling; every header task must run on a Celeriac worker. 'unlock':
   * as Celery over MongoDB, a `celery.chord_unlock` task polls the header once a second, so
   * Python workers may run header tasks. @default 'counter'
   */
  chordJoin?: 'counter' | 'unlock';
}
