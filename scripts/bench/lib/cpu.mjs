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

/** user + system CPU ms of one process; NaN once it is gone. */
export function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').at(-1).trim().split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** The pid of the first process whose command line (spaces between arguments) passes `test`, or null. */
export function findProcess(test) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = readCmdline(entry);
    if (cmdline && test(cmdline)) return Number(entry);
  }
  return null;
}

/**
 * The local RabbitMQ node of 127.0.0.1:5672 (Debian's service: its home is /var/lib/rabbitmq),
 * not the nodes of a test cluster; null when it is not on this host.
 */
export function localBrokerPid() {
  return findProcess(
    (line) => line.includes('beam.smp') && line.includes('-s rabbit boot') && line.includes('-home /var/lib/rabbitmq '),
  );
}

function readCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return null;
  }
}

/**
 * The whole machine's CPU time so far (/proc/stat): `busyMs` over all cores (everything but idle
 * and iowait) and `totalMs`, so a window's busy share is Δbusy ÷ Δtotal.
 */
export function machineCpuMs() {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = ticks[3] + ticks[4];
    return { busyMs: ((total - idle) * 1000) / TICKS_PER_SECOND, totalMs: (total * 1000) / TICKS_PER_SECOND };
  } catch {
    return { busyMs: NaN, totalMs: NaN };
  }
}
