import { expect } from 'chai';
import { createLogging } from '../logging.js';
import { capture, lines } from './support.js';

function jsonLogging(level: 'info' | 'debug' = 'info') {
  const output = capture();
  const logging = createLogging({ level, format: 'json' }, output.stream);
  const logged = async () => {
    await logging.flush();
    return lines(output.text()).map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { logger: logging.logger, logged };
}

describe('winston adapter', function () {
  it('writes JSON lines with level, message, timestamp and metadata', async function () {
    const { logger, logged } = jsonLogging();
    logger.log('info', 'worker ready', { node: 'n1' });
    const [line] = await logged();
    expect(line).to.include({ level: 'info', message: 'worker ready', node: 'n1' });
    expect(line).to.have.property('timestamp').that.is.a('string');
  });

  it("keeps a child logger's metadata, such as the task id, on every line", async function () {
    const { logger, logged } = jsonLogging();
    const task = logger.child({ taskId: 't-1', task: 'tasks.add' });
    task.log('info', 'task received');
    task.child({ attempt: 2 }).log('warn', 'task failed', { runtimeMs: 3 });
    const [received, failed, ...rest] = await logged();
    expect(rest).to.deep.equal([]);
    expect(received).to.include({ taskId: 't-1', task: 'tasks.add', message: 'task received' });
    expect(failed).to.include({ taskId: 't-1', task: 'tasks.add', attempt: 2, runtimeMs: 3, level: 'warn' });
  });

  it('drops lines below the level', async function () {
    const { logger, logged } = jsonLogging('info');
    logger.log('debug', 'connecting');
    logger.log('error', 'gave up');
    expect((await logged()).map((line) => line.message)).to.deep.equal(['gave up']);
  });

  it('does not let metadata overwrite the level or the message', async function () {
    const { logger, logged } = jsonLogging();
    logger.log('info', 'real message', { message: 'meta message', level: 'error' });
    expect((await logged())[0]).to.include({
      level: 'info',
      message: 'real message',
      metaMessage: 'meta message',
      metaLevel: 'error',
    });
  });

  it('writes metadata plain JSON cannot hold: a bigint as its digits, a repeated object as [Circular]', async function () {
    const { logger, logged } = jsonLogging();
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    logger.log('info', 'odd metadata', { count: 12345678901234567890n, cycle });
    const [line] = await logged();
    expect(line).to.include({ message: 'odd metadata', count: '12345678901234567890' });
    expect(line?.cycle).to.deep.equal({ name: 'loop', self: '[Circular]' });
  });

  it('writes text lines with key=value pairs and the stack below', async function () {
    const output = capture();
    const { logger, flush } = createLogging({ level: 'info', format: 'text' }, output.stream);
    logger.log('warn', 'task failed', { taskId: 't-2', stack: 'Error: boom\n    at here' });
    await flush();
    expect(output.text()).to.match(/^\S+Z warn task failed taskId=t-2\nError: boom\n {4}at here\n$/);
  });
});
