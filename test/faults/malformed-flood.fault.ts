/**
 * Issue 7, worker side: a flood of malformed messages mixed with valid tasks. One bad message
 * must never take the worker down, stall the good ones or vanish: each valid task runs, each bad
 * one ends in `celeriac.dead` with its reason, and the same worker process serves throughout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import { eventually, uniqueName } from '../support/broker.js';
import type { SpawnedCli } from '../support/spawned-cli.js';
import { takeDeadLettersOf, type DeadLetter } from './support/fault-dead-letters.js';
import { deleteFaultQueues, readyCount } from './support/fault-queues.js';
import { faultBroker } from './support/global-broker.js';
import { readLedger, tally } from './support/ledger.js';
import { LedgerByPid } from './support/ledger-pids.js';
import { MALFORMED_KINDS, RawPublisher, malformedFlood, type MalformedSent } from './support/malformed-messages.js';
import { Producer, randomDurations } from './support/producer.js';
import { recordCase } from './support/results.js';
import { pidOf, startLedgerWorker, stopGracefully, unexpectedLogs } from './support/worker-fleet.js';

/** Malformed messages published at once, each burst followed by twice as many valid tasks. */
const BURST = 14;
const VALID_PER_BAD = 2;
const SETTLE_TIMEOUT_MS = 60_000;
/** What the worker logs for each message it dead-letters as undecodable or unregistered. */
const REJECTION_LOGS = new Set([
  'dead-lettering a message that is not a valid task',
  'received an unregistered task; it is answered NotRegistered and dead-lettered',
]);

describe('fault: a flood of malformed messages mixed with valid tasks', () => {
  const queue = uniqueName('faults.malformed');
  let dir: string;
  let ledger: string;
  let client: Client;
  let raw: RawPublisher;
  let worker: SpawnedCli;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'celeriac-faults-malformed-'));
    ledger = join(dir, 'ledger');
    client = new Client({ brokerUrl: faultBroker().url, resultBackend: null });
    raw = await RawPublisher.open(faultBroker().url);
    worker = await startLedgerWorker(queue, ledger, ['--concurrency', '4']);
  });

  after(async () => {
    await worker?.stop();
    await raw?.close();
    await client?.close();
    await deleteFaultQueues(queue);
    await rm(dir, { recursive: true, force: true });
  });

  it('runs every valid task, dead-letters every bad message with its reason, and the worker never restarts', async () => {
    const pid = pidOf(worker);
    const sends = new Producer(client, queue);
    const bad: MalformedSent[] = [];
    const flood = malformedFlood();
    for (let start = 0; start < flood.length; start += BURST) {
      const burst = await raw.publish(queue, flood.slice(start, start + BURST));
      bad.push(...burst);
      await sends.send(randomDurations(burst.length * VALID_PER_BAD, 1, 5));
    }
    const dead = await collectDeadLetters(queue, bad.length);
    await eventually(() => (tally(sends, readLedger(ledger)).lost === 0 ? true : undefined), SETTLE_TIMEOUT_MS);

    expectEachDeadLetterMatches(bad, dead);
    expect(worker.running, 'the worker is still running').to.equal(true);
    expect(LedgerByPid.read(ledger).pids(), 'every valid task ran in the one worker process').to.deep.equal([
      String(pid),
    ]);
    expectNoCrashLogged(worker, bad.length);
    expect(await stopGracefully(worker), 'the worker stops as usual').to.deep.equal({ code: 0, signal: null });
    expect(await readyCount(queue), 'nothing is left in the queue').to.equal(0);

    const counts = tally(sends, readLedger(ledger));
    expect(counts).to.include({
      unconfirmed: 0,
      run: sends.attempted.length,
      succeeded: sends.attempted.length,
      duplicated: 0,
      lost: 0,
    });
    recordCase('malformed-message flood', counts, [
      `${bad.length} malformed messages of ${MALFORMED_KINDS.length} kinds (bad JSON, wrong shape, missing headers, refused content types, unknown task, 3× 3 MiB and 1× 17 MiB bodies), in bursts of ${BURST}, each followed by ${BURST * VALID_PER_BAD} valid tasks`,
      `all ${dead.length} in celeriac.dead with their code and reason, no valid task among them`,
      'one worker process throughout (pid unchanged, exit 0 at the end, no crash logged)',
    ]);
  });
});

/** Takes this queue's dead letters until `expected` have arrived (or the time is up). */
async function collectDeadLetters(queue: string, expected: number): Promise<DeadLetter[]> {
  const dead: DeadLetter[] = [];
  await eventually(async () => {
    dead.push(...(await takeDeadLettersOf(queue)));
    return dead.length >= expected ? true : undefined;
  }, SETTLE_TIMEOUT_MS).catch((error: Error) => {
    error.message += `: ${dead.length} of ${expected} malformed messages reached celeriac.dead`;
    throw error;
  });
  return dead;
}

/** One dead letter per malformed message, with its kind's code, a reason and the body as it was sent. */
function expectEachDeadLetterMatches(bad: readonly MalformedSent[], dead: readonly DeadLetter[]): void {
  const byId = new Map(dead.map((letter) => [letter.correlationId, letter]));
  expect(byId.size, 'one dead letter per malformed message, no valid task dead-lettered').to.equal(dead.length);
  expect([...byId.keys()].sort()).to.deep.equal(bad.map((sent) => sent.id).sort());
  for (const sent of bad) {
    const letter = byId.get(sent.id);
    expect(letter?.code, `${sent.kind.label}: its code`).to.equal(sent.kind.code);
    expect(letter?.reason, `${sent.kind.label}: its reason`).to.be.a('string').that.is.not.empty;
    expect(letter?.body.equals(sent.body), `${sent.kind.label}: the body as it was sent`).to.equal(true);
  }
}

/** A rejection logged per malformed message, and nothing that looks like a crash or a bug. */
function expectNoCrashLogged(worker: SpawnedCli, badCount: number): void {
  const logs = worker.logs();
  expect(
    logs.filter((line) => REJECTION_LOGS.has(line.message)),
    'a rejection logged per malformed message',
  ).to.have.length(badCount);
  expect(unexpectedLogs(worker, [...REJECTION_LOGS]), 'no other warning or error, no stack trace').to.deep.equal([]);
}
