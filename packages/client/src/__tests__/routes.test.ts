import { expect } from 'chai';
import { ConfigurationError } from '@celeriac/core';
import { compileClientOptions } from '../client-options.js';
import { compileRoutes } from '../routes.js';

describe('compileRoutes', () => {
  it('maps an exact task name to its queue, and leaves unknown names unrouted', () => {
    const route = compileRoutes({ 'billing.charge': 'billing' });
    expect(route('billing.charge')).to.equal('billing');
    expect(route('billing.refund')).to.equal(undefined);
  });

  it('matches globs with * across dots and ? for one character', () => {
    const route = compileRoutes({ 'reports.*': 'reports', 'img.v?': 'images' });
    expect(route('reports.daily.pdf')).to.equal('reports');
    expect(route('img.v2')).to.equal('images');
    expect(route('img.v10')).to.equal(undefined);
  });

  it('lets an exact name beat a glob listed before it, and the first matching glob win', () => {
    const route = compileRoutes({ 'a.*': 'first', '*': 'second', 'a.exact': 'exact' });
    expect(route('a.exact')).to.equal('exact');
    expect(route('a.other')).to.equal('first');
    expect(route('b.other')).to.equal('second');
  });

  it('treats regex characters in a pattern literally', () => {
    const route = compileRoutes({ 'a+b.(x)': 'literal' });
    expect(route('a+b.(x)')).to.equal('literal');
    expect(route('aab.x')).to.equal(undefined);
  });

  it('refuses a route to an empty queue name', () => {
    expect(() => compileRoutes({ 'a.*': '' })).to.throw(ConfigurationError, /a\.\*/);
  });
});

describe('ClientOptions.routes', () => {
  it('compiles into the router, with no routes by default', () => {
    expect(compileClientOptions({ routes: { 'x.*': 'xq' } }).router('x.y')).to.equal('xq');
    expect(compileClientOptions({}).router('x.y')).to.equal(undefined);
  });

  it('refuses routes that are not an object', () => {
    expect(() => compileClientOptions({ routes: ['x'] as unknown as Record<string, string> })).to.throw(
      ConfigurationError,
      /routes/,
    );
  });
});
