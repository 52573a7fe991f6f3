import { expect } from 'chai';
import { NonceCache } from '../../src/security/nonce-cache.js';
import { TokenAuthenticator } from '../../src/security/token-authenticator.js';
import { readSecuritySettings } from '../../src/security/user-directory.js';
import { parseCreated, passwordDigest, readUsernameToken, type UsernameToken } from '../../src/security/username-token.js';
import { NS } from '../../src/xml/namespaces.js';
import { child } from '../../src/xml/xml-element.js';
import { readXml } from '../../src/xml/xml-reader.js';
import { digestToken, referenceDigest, textToken } from './wsse-tokens.js';

/** Cheap scrypt for unit tests: the cost parameters do not change what is checked. */
const FAST = { N: 1024, r: 8, p: 1 };
const header = (blocks: string) => child(readXml(`<e:Envelope xmlns:e="${NS.soap11}"><e:Header>${blocks}</e:Header><e:Body/></e:Envelope>`), NS.soap11, 'Header');

describe('UsernameToken: digest, reading, freshness, replay (unit)', function () {
  describe('PasswordDigest = Base64(SHA-1(nonce + created + password))', function () {
    it('matches the vector computed in the test from the profile formula', function () {
      const nonce = 'LKqI6G/AikKCQrN0zqZFlg==';
      const created = '2010-09-16T07:50:45Z';
      const expected = referenceDigest(nonce, created, 'userpassword');
      // The same vector as published in many WS-Security how-tos.
      expect(expected).to.equal('tuOSpGlFlIXsozq4HFNeeGeFLEI=');
      expect(passwordDigest(nonce, created, 'userpassword').toString('base64')).to.equal(expected);
      expect(passwordDigest(nonce, created, Buffer.from('userpassword')).toString('base64')).to.equal(expected);
    });

    it('uses the decoded nonce bytes, not the Base64 text', function () {
      const nonce = Buffer.from([0, 1, 2, 250, 251, 252]).toString('base64');
      expect(passwordDigest(nonce, 'c', 'p').toString('base64')).to.equal(referenceDigest(nonce, 'c', 'p'));
      expect(passwordDigest(nonce, 'c', 'p').toString('base64')).not.to.equal(referenceDigest(Buffer.from(nonce).toString('base64'), 'c', 'p'));
    });
  });

  describe('readUsernameToken', function () {
    it('reads a PasswordText token and a PasswordDigest token', function () {
      const t = readUsernameToken(header(textToken('shop', 'a<b&c')), '1.1');
      expect(t).to.deep.equal({ kind: 'token', token: { username: 'shop', passwordType: 'PasswordText', password: 'a<b&c', nonce: undefined, created: undefined } });
      const d = readUsernameToken(header(digestToken('shop', 'x', { nonce: 'AAAA', created: '2026-01-01T00:00:00Z' })), '1.1');
      expect(d.kind === 'token' && d.token).to.include({ passwordType: 'PasswordDigest', nonce: 'AAAA', created: '2026-01-01T00:00:00Z' });
    });

    it('no header, no Security, or a Security without UsernameToken: absent', function () {
      expect(readUsernameToken(undefined, '1.1').kind).to.equal('absent');
      expect(readUsernameToken(header('<x:Other xmlns:x="urn:x"/>'), '1.1').kind).to.equal('absent');
      expect(readUsernameToken(header(`<wsse:Security xmlns:wsse="${NS.wsse}"/>`), '1.1').kind).to.equal('absent');
    });

    it('a Security header for another actor is not ours', function () {
      const other = textToken('shop', 'p').replace('<wsse:Security ', '<wsse:Security soapenv:actor="urn:somebody-else" ');
      expect(readUsernameToken(header(other), '1.1').kind).to.equal('absent');
    });

    it('refuses ambiguity and malformed tokens', function () {
      const invalid = (xml: string) => readUsernameToken(header(xml), '1.1');
      expect(invalid(textToken('a', 'b') + textToken('c', 'd')).kind).to.equal('invalid');
      expect(invalid(textToken('', 'b')).kind).to.equal('invalid');
      expect(invalid(textToken('a', 'b').replace('#PasswordText', '#PasswordClear')).kind).to.equal('invalid');
      expect(invalid(textToken('a', 'b').replace('#PasswordText', '#PasswordDigest')).kind).to.equal('invalid');
      expect(invalid(digestToken('a', 'b', { nonce: 'not base64!' })).kind).to.equal('invalid');
    });

    it('takes a missing Type as PasswordText', function () {
      const t = readUsernameToken(header(textToken('a', 'b').replace(/ Type="[^"]*"/, '')), '1.1');
      expect(t.kind === 'token' && t.token.passwordType).to.equal('PasswordText');
    });
  });

  it('parseCreated reads xs:dateTime with Z, an offset, fractions, or no zone (UTC)', function () {
    expect(parseCreated('2026-01-01T00:00:00Z')).to.equal(Date.UTC(2026, 0, 1));
    expect(parseCreated('2026-01-01T01:00:00+01:00')).to.equal(Date.UTC(2026, 0, 1));
    expect(parseCreated('2026-01-01T00:00:00.123456Z')).to.equal(Date.UTC(2026, 0, 1) + 123);
    expect(parseCreated('2026-01-01T00:00:00')).to.equal(Date.UTC(2026, 0, 1));
    expect(parseCreated('yesterday')).to.equal(undefined);
  });

  describe('NonceCache', function () {
    it('refuses a nonce seen within the window, forgets it after', function () {
      const c = new NonceCache(100, 1000);
      expect(c.admit('n1', 0, 0)).to.equal('fresh');
      expect(c.admit('n1', 0, 500)).to.equal('replayed');
      expect(c.admit('n1', 1001, 1001)).to.equal('fresh');
    });

    it('stays bounded and refuses tokens older than what it had to drop', function () {
      const c = new NonceCache(3, 10_000);
      for (let i = 0; i < 5; i++) expect(c.admit(`n${i}`, i, 10)).to.equal('fresh');
      expect(c.size).to.equal(3);
      expect(c.admit('n0', 0, 11)).to.equal('below-floor');
      expect(c.admit('late', 1, 11)).to.equal('below-floor');
      expect(c.admit('n4', 4, 11)).to.equal('replayed');
      expect(c.admit('new', 20, 21)).to.equal('fresh');
    });
  });

  describe('TokenAuthenticator', function () {
    const settings = readSecuritySettings({ usersEnv: 'shop:s3cret:storefront:digest,dom:d0m:dom', file: { tokenMaxAgeS: 300 } }, FAST);
    const auth = new TokenAuthenticator(settings);
    const now = Date.UTC(2026, 0, 1, 12);
    const iso = (ms: number) => new Date(ms).toISOString();
    const digest = (user: string, pw: string, nonce: string, createdMs = now): UsernameToken => {
      const created = iso(createdMs);
      return { username: user, passwordType: 'PasswordDigest', password: referenceDigest(nonce, created, pw), nonce, created };
    };
    const text = (user: string, pw: string, created?: string): UsernameToken => ({ username: user, passwordType: 'PasswordText', password: pw, nonce: undefined, created });

    it('accepts the right password and names the principal', async function () {
      expect(await auth.authenticate(text('dom', 'd0m'), now)).to.deep.equal({ ok: true, principal: { name: 'dom', role: 'dom' } });
      expect(await auth.authenticate(digest('shop', 's3cret', 'bm9uY2UtMQ=='), now)).to.deep.equal({ ok: true, principal: { name: 'shop', role: 'storefront' } });
    });

    it('remembers a successful PasswordText check, and only successful ones', async function () {
      const before = auth.cachedVerifications;
      await auth.authenticate(text('dom', 'wrong'), now);
      expect(auth.cachedVerifications).to.equal(before);
      await auth.authenticate(text('dom', 'd0m'), now);
      expect(auth.cachedVerifications).to.equal(Math.max(before, 1));
    });

    it('a wrong password, an unknown user, and a digest for a user without digest all fail the same way', async function () {
      const outcomes = [
        await auth.authenticate(text('dom', 'D0M'), now),
        await auth.authenticate(text('ghost', 'd0m'), now),
        await auth.authenticate(digest('ghost', 'x', 'bm9uY2UtMg=='), now),
        await auth.authenticate(digest('dom', 'd0m', 'bm9uY2UtMw=='), now),
        await auth.authenticate(digest('shop', 'wrong', 'bm9uY2UtNA=='), now),
      ];
      for (const o of outcomes) expect(o.ok === false && { code: o.code, params: o.params }).to.deep.equal({ code: 'AUTH_FAILED', params: undefined });
    });

    it('refuses a replayed nonce, a stale token and one from too far ahead', async function () {
      expect((await auth.authenticate(digest('shop', 's3cret', 'bm9uY2UtNQ=='), now)).ok).to.equal(true);
      expect(await auth.authenticate(digest('shop', 's3cret', 'bm9uY2UtNQ=='), now + 1000)).to.include({ ok: false, code: 'AUTH_REPLAYED' });
      expect(await auth.authenticate(digest('shop', 's3cret', 'bm9uY2UtNg==', now - 301_000), now)).to.include({ ok: false, code: 'AUTH_STALE' });
      expect(await auth.authenticate(digest('shop', 's3cret', 'bm9uY2UtNw==', now + 61_000), now)).to.include({ ok: false, code: 'AUTH_STALE' });
      expect((await auth.authenticate(digest('shop', 's3cret', 'bm9uY2UtOA==', now + 59_000), now)).ok).to.equal(true);
      expect(await auth.authenticate(text('dom', 'd0m', iso(now - 400_000)), now)).to.include({ ok: false, code: 'AUTH_STALE' });
      expect(await auth.authenticate(text('dom', 'd0m', 'not a time'), now)).to.include({ ok: false, code: 'AUTH_TOKEN_INVALID' });
    });

    it('a replay with the nonce respelled in Base64 (same bytes) is still a replay', async function () {
      const created = iso(now);
      const first: UsernameToken = { username: 'shop', passwordType: 'PasswordDigest', password: referenceDigest('AB==', created, 's3cret'), nonce: 'AB==', created };
      expect((await auth.authenticate(first, now)).ok).to.equal(true);
      for (const respelled of ['AC==', 'AA==', 'AA']) {
        expect(Buffer.from(respelled, 'base64').equals(Buffer.from('AB==', 'base64'))).to.equal(true);
        expect(await auth.authenticate({ ...first, nonce: respelled }, now + 10)).to.include({ ok: false, code: 'AUTH_REPLAYED' });
      }
    });

    it('does not remember the nonce of a failed attempt (a wrong guess cannot block the real sender)', async function () {
      expect((await auth.authenticate(digest('shop', 'wrong', 'bm9uY2UtOQ=='), now)).ok).to.equal(false);
      expect((await auth.authenticate(digest('shop', 's3cret', 'bm9uY2UtOQ=='), now)).ok).to.equal(true);
    });
  });
});
