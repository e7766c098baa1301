/**
 * Layering through `main`: flags win over CELERIAC_* variables, which win over the config file;
 * unrelated CELERIAC_* variables (the test suite's own) are not mistaken for options. The
 * `result` command's error names the result backend in effect, which makes layering visible.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runMain } from './support.js';

const DISABLED = /results are disabled/;
const RPC = /the rpc:\/\/ result backend/;

describe('celeriac option layering', function () {
  let dir: string;
  let configFile: string;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'celeriac-cli-'));
    configFile = join(dir, 'celeriac.json');
    await writeFile(configFile, JSON.stringify({ 'result-backend': 'disabled', concurrency: 4 }));
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("ignores CELERIAC_* variables that name no option, such as the test suite's", async function () {
    const env = {
      CELERIAC_TEST_BROKER_URL: 'amqp://x',
      CELERIAC_TEST_MONGODB_URL: 'mongodb://x',
      CELERIAC_SOMETHING_ELSE: '1',
    };
    const result = await runMain(['result', 'id'], env);
    expect(result.stderr)
      .to.match(RPC)
      .and.not.match(/Unknown argument/);
    expect((await runMain(['--help'], env)).code).to.equal(0);
  });

  it('takes an option from its CELERIAC_* variable', async function () {
    expect((await runMain(['result', 'id'], { CELERIAC_RESULT_BACKEND: 'disabled' })).stderr).to.match(DISABLED);
  });

  it('lets a flag win over the environment', async function () {
    const result = await runMain(['result', 'id', '--result-backend', 'rpc://'], {
      CELERIAC_RESULT_BACKEND: 'disabled',
    });
    expect(result.stderr).to.match(RPC);
  });

  it('reads the config file named by --config', async function () {
    expect((await runMain(['result', 'id', '--config', configFile])).stderr).to.match(DISABLED);
  });

  it('reads the config file named by CELERIAC_CONFIG', async function () {
    expect((await runMain(['result', 'id'], { CELERIAC_CONFIG: configFile })).stderr).to.match(DISABLED);
  });

  it('lets the environment win over the config file', async function () {
    const result = await runMain(['result', 'id', '--config', configFile], { CELERIAC_RESULT_BACKEND: 'rpc://' });
    expect(result.stderr).to.match(RPC);
  });

  it('rejects a config file key that is no option of any command', async function () {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ brokr: 'amqp://x' }));
    const result = await runMain(['result', 'id', '--config', bad]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/^celeriac: config file .*bad\.json: unknown option "brokr"/);
  });

  it('rejects a config file that is missing or not JSON', async function () {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "broker": ');
    expect((await runMain(['result', 'id', '--config', broken])).stderr).to.match(/is not valid JSON/);
    const missing = await runMain(['result', 'id', '--config', join(dir, 'missing.json')]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/cannot read config file .*missing\.json: ENOENT/);
  });
});
