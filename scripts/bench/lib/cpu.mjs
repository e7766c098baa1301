/**
 * CPU time of a process group from /proc (Linux), to report what a task costs in CPU next to
 * what it achieves in throughput: on a shared machine the CPU per task is the steadier figure.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** user + system CPU ms of every live process in group `pgid`; NaN where /proc is not there. */
export function groupCpuMs(pgid) {
  let ticks = 0;
  try {
    for (const entry of readdirSync('/proc')) if (/^\d+$/.test(entry)) ticks += groupTicks(entry, pgid);
  } catch {
    return NaN;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

function groupTicks(pid, pgid) {
  try {
    // The command name may hold spaces and brackets: the fields that follow start after the last ')'.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').at(-1).trim().split(' ');
    return Number(fields[2]) === pgid ? Number(fields[11]) + Number(fields[12]) : 0;
  } catch {
    return 0;
  }
}
