/**
 * The merge of a beat's static schedules into its store, once per start. Apart from beat.ts,
 * which only runs it (retried while the store cannot be reached) and then lets the schedules go.
 */
import type { PlannedEntry } from '@celeriac/core';
import type { CompiledBeatOptions } from './beat-options.js';
import type { ScheduleEditor } from './schedule-editor.js';
import type { StaticSchedule, StaticSet } from './static-schedule.js';

/** `applied` takes the store's listing before the merge is durable (start-merge.ts). */
type StaticMergeOptions = Pick<CompiledBeatOptions, 'store' | 'pruneStatic' | 'logger'> & {
  applied?: (listing: PlannedEntry[]) => void;
};

/**
 * Static schedules are added or updated; with pruneStatic, every other stored schedule goes
 * first. Skipped when the store says it holds this very merge already (StaticSet.digest).
 */
export async function mergeStaticSet(
  statics: StaticSet,
  editor: ScheduleEditor,
  options: StaticMergeOptions,
): Promise<void> {
  if (statics.digest !== null && (await merged(statics.digest, options))) {
    options.logger.log('info', 'static schedules unchanged since their last merge: not merged again');
  } else {
    await merge(await statics.load(), statics.digest, editor, options);
  }
}

async function merged(digest: string, options: StaticMergeOptions): Promise<boolean> {
  return (await options.store.staticDigest?.()) === digest;
}

async function merge(
  schedules: readonly StaticSchedule[],
  digest: string | null,
  editor: ScheduleEditor,
  options: StaticMergeOptions,
): Promise<void> {
  const { pruneStatic: prune, logger, applied } = options;
  if (schedules.length === 0 && !prune && digest === null) return;
  const changed = await editor.mergeStatic(schedules, { digest: digest ?? undefined, prune, applied });
  logger.log('info', 'static schedules merged into the store', { static: schedules.length, changed });
}
