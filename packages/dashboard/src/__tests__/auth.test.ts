import { expect } from 'chai';
import { authorized, parseAuth, sameSiteAction, TOKEN_ENV } from '../auth.js';
import { compileDashboardOptions } from '../options.js';
import { DashboardConfigError } from '../errors.js';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('dashboard auth', () => {
  it('reads basic:USER:PASS, keeping colons in the password', () => {
    expect(parseAuth('basic:ops:s3:cret', {})).to.deep.equal({ kind: 'basic', user: 'ops', password: 's3:cret' });
  });

  it('reads a bearer token from the environment, and refuses a short or missing one', () => {
    expect(parseAuth('bearer', { [TOKEN_ENV]: 'x'.repeat(32) })).to.deep.equal({
      kind: 'bearer',
      token: 'x'.repeat(32),
    });
    expect(() => parseAuth('bearer', { [TOKEN_ENV]: 'short' })).to.throw(DashboardConfigError, TOKEN_ENV);
    expect(() => parseAuth('bearer', {})).to.throw(DashboardConfigError);
  });

  it('refuses other forms', () => {
    for (const spec of ['basic:onlyuser', 'basic::pass', 'token:abc', ''])
      expect(() => parseAuth(spec, {}), spec).to.throw(DashboardConfigError, 'invalid --auth');
  });

  it('accepts exactly the configured credentials', () => {
    const auth = parseAuth('basic:ops:secret', {});
    expect(authorized(auth, basic('ops:secret'))).to.equal(true);
    expect(authorized(auth, basic('ops:Secret'))).to.equal(false);
    expect(authorized(auth, basic('ops:secret '))).to.equal(false);
    expect(authorized(auth, undefined)).to.equal(false);
    const bearer = parseAuth('bearer', { [TOKEN_ENV]: 't'.repeat(20) });
    expect(authorized(bearer, `Bearer ${'t'.repeat(20)}`)).to.equal(true);
    expect(authorized(bearer, `Bearer ${'t'.repeat(19)}`)).to.equal(false);
  });

  it('takes an action only with the page header and a same-host origin', () => {
    const host = '127.0.0.1:5555';
    expect(sameSiteAction({ host, 'x-celeriac-dashboard': '1', origin: 'http://127.0.0.1:5555' })).to.equal(true);
    expect(sameSiteAction({ host, 'x-celeriac-dashboard': '1' })).to.equal(true);
    expect(sameSiteAction({ host, origin: 'http://127.0.0.1:5555' })).to.equal(false);
    expect(sameSiteAction({ host, 'x-celeriac-dashboard': '1', origin: 'http://evil.example' })).to.equal(false);
    expect(sameSiteAction({ host, 'x-celeriac-dashboard': '1', 'sec-fetch-site': 'cross-site' })).to.equal(false);
    expect(sameSiteAction({ host, 'x-celeriac-dashboard': '1', origin: 'null' })).to.equal(false);
  });
});

describe('dashboard options', () => {
  it('binds to loopback without auth by default', () => {
    const options = compileDashboardOptions({});
    expect(options).to.include({ host: '127.0.0.1', port: 5555, auth: null });
  });

  it('refuses any other bind address without auth', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10'])
      expect(() => compileDashboardOptions({ host }), host)
        .to.throw(DashboardConfigError, '--auth')
        .with.property('code', 'AUTH_REQUIRED');
    expect(compileDashboardOptions({ host: '0.0.0.0', auth: parseAuth('basic:a:b', {}) }).host).to.equal('0.0.0.0');
  });

  it("gives the management API the broker's credentials when its URL has none", () => {
    const options = compileDashboardOptions({
      brokerUrl: 'amqp://ops:pw@rabbit:5672/',
      managementUrl: 'http://rabbit:15672',
    });
    expect(options.managementUrl?.username).to.equal('ops');
    expect(options.managementUrl?.password).to.equal('pw');
    expect(() => compileDashboardOptions({ managementUrl: 'ftp://x' })).to.throw(DashboardConfigError);
  });
});
