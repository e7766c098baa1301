import type { Job } from '../job.js';

/**
 * A check a task passes before it takes a slot (revoked? expired? not due yet?). A gate that
 * answers 'settled' has taken care of the delivery itself (reported, moved, acknowledged), and
 * the task goes no further. Gates run in the order the worker lists them.
 */
export interface Gate {
  admit(job: Job): Promise<'run' | 'settled'>;
}
