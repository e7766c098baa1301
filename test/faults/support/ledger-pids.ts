/**
 * The ledger read per process: which worker started and which finished each task. ledger.ts
 * counts runs per task; proving that a duplicate or an interrupted run belongs to a process the
 * case killed (or stopped) needs the pid of each line as well.
 */
import { existsSync, readFileSync } from 'node:fs';

export class LedgerByPid {
  /** Pid → task ids it started. */
  readonly started = new Map<string, Set<string>>();
  /** Pid → task ids it finished. */
  readonly done = new Map<string, Set<string>>();

  static read(path: string): LedgerByPid {
    const ledger = new LedgerByPid();
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    for (const line of text.split('\n')) ledger.#add(line.split(' '));
    return ledger;
  }

  startedBy(pid: number): ReadonlySet<string> {
    return this.started.get(String(pid)) ?? new Set();
  }

  doneBy(pid: number): ReadonlySet<string> {
    return this.done.get(String(pid)) ?? new Set();
  }

  /** Tasks this process started and never finished: it was stopped or killed under them. */
  interruptedIn(pid: number): string[] {
    const done = this.doneBy(pid);
    return [...this.startedBy(pid)].filter((id) => !done.has(id));
  }

  /** Every pid that wrote a line. */
  pids(): string[] {
    return [...new Set([...this.started.keys(), ...this.done.keys()])];
  }

  #add([event, id, pid]: string[]): void {
    if (!id || !pid || (event !== 'S' && event !== 'D')) return;
    const byPid = event === 'S' ? this.started : this.done;
    byPid.set(pid, (byPid.get(pid) ?? new Set()).add(id));
  }
}
