import { expect } from 'chai';
import { dirname, basename } from 'node:path';
import { loadTaskRegistry } from '../app-loader.js';
import { UsageError } from '../errors.js';
import { fixture } from './support.js';

describe('--app module loading', function () {
  it('takes the registry from a named export "tasks", relative to the working directory', async function () {
    const path = fixture('named-tasks.js');
    const registry = await loadTaskRegistry(basename(path), dirname(path));
    expect(registry.names()).to.deep.equal(['fixture.ping']);
  });

  it('rejects a module that exports no TaskRegistry', async function () {
    const error = await loadTaskRegistry(fixture('not-a-registry.js'), '/').catch((thrown: unknown) => thrown);
    expect(error)
      .to.be.instanceOf(UsageError)
      .with.property('message')
      .that.match(/must export a TaskRegistry as its default export or as "tasks"/);
  });

  it('rejects a path that does not exist', async function () {
    const error = await loadTaskRegistry('no/such/tasks.js', '/srv').catch((thrown: unknown) => thrown);
    expect(error)
      .to.be.instanceOf(UsageError)
      .with.property('message', '--app module no/such/tasks.js not found (resolved to /srv/no/such/tasks.js)');
  });
});
