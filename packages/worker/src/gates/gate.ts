import type { Job } from '../job.js';

/**
 * A check a task passes before it takes a slot (revoked? expired? not due yet?). A gate that
 * answers 'settled' has taken care of the delivery itself (reported, moved, acknowledged), and
 * the task goes no further. Gates run in the order the worker lists them.
 *
 * A gate answers at once when it can (the common case: nothing to check), and with a promise only
 * when it must wait: a no-op task passes eight gates, and an await each was a tenth of its cost.
 */
export type Verdict = 'run' | 'settled';

export interface Gate {
  admit(job: Job): Verdict | Promise<Verdict>;
}
