/**
 * `celeriac dashboard` end to end in Debian's Chromium (driven by playwright-core, which
 * downloads nothing): a spawned worker, beat and dashboard on the test broker, and a browser that
 * sees the worker appear, sends a task and sees it succeed, reads a failed task's traceback and
 * re-sends it, terminates a running task, adds a cron schedule through the form (after the server
 * refused a bad zone) and sees its next fires in its zone with DST-change days marked, edits,
 * disables and removes it, and requeues a dead letter to its queue. It writes the screenshots the
 * README shows (docs/dashboard/*.png).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Dialog, type Page } from 'playwright-core';
import { BeatDir, runCli } from './support/beat-harness.js';
import { deleteQueues, uniqueName } from './support/broker.js';
import { ROOT, SpawnedCli } from './support/spawned-cli.js';

const CHROMIUM = process.env.CELERIAC_TEST_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, 'docs/dashboard');
const UI_TIMEOUT_MS = 20_000;

describe('celeriac dashboard in a browser', function () {
  this.timeout(180_000);
  const queue = uniqueName('dash');
  const idle = uniqueName('dash-idle');
  const node = `${uniqueName('dash-worker')}@test`;
  const schedule = uniqueName('inspections');
  const unknownTask = uniqueName('unknown-task');
  const started: SpawnedCli[] = [];
  let dir: BeatDir;
  let browser: Browser;
  let page: Page;
  let promptAnswer = '';
  const pageErrors: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does)`);
    dir = await BeatDir.create();
    started.push(await SpawnedCli.worker([queue, idle], '-E', '--hostname', node));
    started.push(await dir.beat());
    const dashboard = SpawnedCli.start(['dashboard', '--port', '0', '-Q', `celery,celeriac.dead,${idle}`]);
    started.push(dashboard);
    const { url } = await dashboard.waitForLog((line) => line.message === 'dashboard listening');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on(
      'dialog',
      (dialog: Dialog) => void (dialog.type() === 'prompt' ? dialog.accept(promptAnswer) : dialog.accept()),
    );
    await page.goto(String(url));
  });

  after(async function () {
    await browser?.close();
    for (const cli of started.reverse()) await cli.stop();
    await dir?.remove();
    await deleteQueues(queue, idle);
  });

  it('sees the worker appear, live', async function () {
    const row = page.locator(`tr[data-worker="${node}"]`);
    await row.locator('td.online').waitFor();
    await row.getByText(queue).waitFor();
    await page.screenshot({ path: join(SHOTS, 'workers.png') });
  });

  it('sends a task and sees it succeed', async function () {
    const id = await sendTask('sem.nap', '[20]', queue);
    await page.locator(`tr[data-task="${id}"] .state-SUCCESS`).waitFor();
    expect(await page.locator(`tr[data-task="${id}"]`).innerText()).to.include(node);
  });

  it('opens a failed task, reads its traceback and re-sends it', async function () {
    const id = await sendTask('sem.fail', '["valve 7 inspection failed"]', queue);
    await page.locator(`tr[data-task="${id}"] .state-FAILURE`).waitFor();
    await page.screenshot({ path: join(SHOTS, 'tasks.png') });
    await page.locator(`tr[data-task="${id}"] a`).click();
    const traceback = page.locator('#traceback');
    await traceback.waitFor();
    expect(await traceback.innerText())
      .to.include('ValueError')
      .and.include('valve 7 inspection failed');
    await page.screenshot({ path: join(SHOTS, 'task-failed.png'), fullPage: true });

    // Re-send reads the arguments back from the events: the copy fails with the same message.
    await page.getByRole('button', { name: 'Re-send' }).click();
    const resent = page.getByText(/^re-sent as /);
    await resent.waitFor();
    const copy = (await resent.innerText()).replace('re-sent as ', '').trim();
    expect(copy).to.not.equal(id);
    await page.goto(`${page.url().split('#')[0]}#/tasks/${copy}`);
    await page.locator('#task-page .state-FAILURE').waitFor();
    expect(await page.locator('#traceback').innerText()).to.include('valve 7 inspection failed');
  });

  it('terminates a running task from its page', async function () {
    const id = await sendTask('sem.nap', '[120000]', queue);
    await page.locator(`tr[data-task="${id}"] .state-STARTED`).waitFor();
    await page.locator(`tr[data-task="${id}"] a`).click();
    await page.getByRole('button', { name: 'Terminate' }).click();
    await page.locator('#task-page .state-REVOKED').waitFor();
    expect(await page.locator('#timeline').innerText()).to.include('task-revoked');
  });

  it('adds a cron schedule through the form, sees its next fires in its zone, edits, disables and removes it', async function () {
    await page.goto(`${page.url().split('#')[0]}#/schedules`);
    const form = page.locator('#schedule-form');
    await form.locator('input[name=name]').fill(schedule);
    await form.locator('input[name=task]').fill('sem.nap');
    await form.locator('input[name=expression]').fill('30 2 * 3,10 0');
    await form.locator('input[name=timezone]').fill('Mars/Olympus_Mons');
    await form.locator('input[name=args]').fill('[10]');
    await form.getByRole('button', { name: 'Add' }).click();
    const zoneError = form.locator('[data-error=timezone]');
    await zoneError.waitFor();
    expect(await zoneError.innerText()).to.include("unknown time zone 'Mars/Olympus_Mons'");

    await form.locator('input[name=timezone]').fill('Europe/Warsaw');
    const preview = page.locator('#preview');
    await preview.locator('.dst-mark').first().waitFor();
    const offsets = await preview.locator('tbody td:nth-child(2)').allInnerTexts();
    expect(offsets).to.include('GMT+01:00').and.include('GMT+02:00');
    expect(await preview.locator('tbody td:first-child').allInnerTexts()).to.have.length(10);
    await form.getByRole('button', { name: 'Add' }).click();
    const row = page.locator(`tr[data-schedule="${schedule}"]`);
    await row.getByText('Europe/Warsaw').waitFor();
    // The next fire in the list is written in the schedule's zone, 02:30 in Warsaw (GMT+1 in March).
    expect(await row.locator('td:nth-child(7)').innerText()).to.match(/2:30:00.*GMT\+1$/);
    await page.screenshot({ path: join(SHOTS, 'schedules.png'), fullPage: true });

    // Edit: the same form, filled from the entry; the change reaches beat at once.
    await row.getByRole('button', { name: 'Edit' }).click();
    await form.locator('input[name=expression]').fill('0 22 * * 1-5');
    await form.getByRole('button', { name: 'Save' }).click();
    await row.getByText('cron 0 22 * * 1-5').waitFor();

    await row.getByRole('button', { name: 'Disable' }).click();
    await row.locator('td.offline', { hasText: 'no' }).waitFor();
    const listed = await runCli(['schedule', 'ls', '--json']);
    const entries = JSON.parse(listed.stdout) as Array<{
      name: string;
      enabled: boolean;
      schedule: { timezone?: string };
    }>;
    const entry = entries.find((one) => one.name === schedule);
    expect(entry, listed.stderr).to.deep.include({ enabled: false });
    expect(entry?.schedule).to.include({ expression: '0 22 * * 1-5', timezone: 'Europe/Warsaw' });

    await row.getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
  });

  it('requeues a dead letter to the queue it came from', async function () {
    const id = await sendTask(unknownTask, '[]', idle);
    await page.goto(`${page.url().split('#')[0]}#/workers`);
    promptAnswer = idle;
    await page.locator(`tr[data-worker="${node}"]`).getByRole('button', { name: '−queue' }).click();
    await page.getByText(`cancel_consumer sent to ${node}: no longer consuming from ${idle}`).waitFor();

    await page.goto(`${page.url().split('#')[0]}#/dead`);
    await page.locator('input[name=task]').fill(unknownTask);
    await page.locator('input[name=task]').press('Enter');
    const row = page.locator(`tr[data-dead="${id}"]`);
    await waitWithRefresh(row);
    expect(await row.innerText())
      .to.include('NOT_REGISTERED')
      .and.include(idle);
    await row.locator('a').click();
    await page.locator('#dead-body').waitFor();
    await page.screenshot({ path: join(SHOTS, 'dead-letters.png'), fullPage: true });
    await row.getByRole('button', { name: 'Requeue' }).click();
    await page.getByText('requeued 1, failed 0').waitFor();
    await row.waitFor({ state: 'detached' });

    await page.goto(`${page.url().split('#')[0]}#/queues`);
    const queueRow = page.locator('#queues tr', { hasText: idle });
    await queueRow.locator('td:nth-child(2)', { hasText: /^1$/ }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'queues.png') });
  });

  it('logged no error in the page (a script the security policy blocked would show here)', function () {
    // 4xx answers the page handled itself (the refused zone) are logged by Chromium as failed loads.
    expect(pageErrors.filter((text) => !/status of 400/.test(text))).to.deep.equal([]);
  });

  async function sendTask(name: string, args: string, to: string): Promise<string> {
    if (!page.url().endsWith('#/tasks')) await page.goto(`${page.url().split('#')[0]}#/tasks`);
    const form = page.locator('#send-task');
    await form.locator('input[name=name]').fill(name);
    await form.locator('input[name=args]').fill(args);
    await form.locator('input[name=queue]').fill(to);
    await form.getByRole('button', { name: 'Send' }).click();
    const notice = page.locator('#send-notice', { hasText: `sent ${name} as ` });
    await notice.waitFor();
    return (await notice.innerText()).split(' as ')[1]?.trim() ?? '';
  }

  /** Dead letters come from the broker, not from events: refresh until the row is there. */
  async function waitWithRefresh(row: ReturnType<Page['locator']>): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      if ((await row.count()) > 0) return;
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(500);
    }
    await row.waitFor({ timeout: 1 });
  }
});
