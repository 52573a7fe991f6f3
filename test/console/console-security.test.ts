import { expect } from 'chai';
import { csrfToken, forgeryCheck } from '../../src/console/console-security.js';
import { html, query, raw } from '../../src/console/html.js';
import { readMessageQuery } from '../../src/console/pages/messages-page.js';

describe('console: escaping, anti-forgery token, the Messages page URL', () => {
  it('html`` escapes every interpolated value, in text and in attributes; nested html`` and arrays pass through once', () => {
    const evil = `"><script>alert('x')</script>&`;
    const out = html`<a title="${evil}">${evil}</a>${[html`<b>${evil}</b>`, 1, null, undefined]}${raw('<hr>')}`.text;
    expect(out).to.equal(`<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</a><b>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</b>1<hr>`);
    expect(query({ bodid: 'a&b=<c>', empty: '', none: undefined })).to.equal('?bodid=a%26b%3D%3Cc%3E');
  });

  it('the token: a new random one with a strict cookie when the browser has none, the same one after', () => {
    const first = csrfToken({});
    expect(first.token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(first.setCookie).to.contain('HttpOnly').and.to.contain('SameSite=Strict').and.to.contain('Path=/console');
    expect(csrfToken({}).token).not.to.equal(first.token);
    expect(csrfToken({ cookie: `other=1; dombridge_console_csrf=${first.token}` })).to.deep.equal({ token: first.token });
    expect(csrfToken({ cookie: 'dombridge_console_csrf=short' }).setCookie, 'a cookie not of our making is replaced').to.be.a('string');
  });

  it('a POST passes only with the cookie\'s token and, where the browser names them, the same origin and site', () => {
    const t = csrfToken({}).token;
    const cookie = `dombridge_console_csrf=${t}`;
    expect(forgeryCheck({ cookie, host: 'h:1' }, t)).to.equal(undefined);
    expect(forgeryCheck({ cookie, host: 'h:1', origin: 'http://h:1', 'sec-fetch-site': 'same-origin' }, t)).to.equal(undefined);
    expect(forgeryCheck({ host: 'h:1' }, t)).to.match(/token/);
    expect(forgeryCheck({ cookie, host: 'h:1' }, undefined)).to.match(/token/);
    expect(forgeryCheck({ cookie, host: 'h:1' }, t.slice(1) + 'A')).to.match(/token/);
    expect(forgeryCheck({ cookie, host: 'h:1', origin: 'http://evil:1' }, t)).to.match(/Origin/);
    expect(forgeryCheck({ cookie, host: 'h:1', origin: 'null' }, t)).to.match(/Origin/);
    expect(forgeryCheck({ cookie, host: 'h:1', 'sec-fetch-site': 'same-site' }, t)).to.match(/Sec-Fetch-Site/);
  });

  it('the Messages page reads its filters from the URL; times without a zone are UTC; what it cannot read is said, not used', () => {
    const q = readMessageQuery(new URLSearchParams('status=faulted,bogus&direction=in&bodid=B1&order=90001&part=SKU-1&since=2026-05-01T10:00&until=nope&offset=50'));
    expect(q.filter).to.deep.include({ status: ['faulted'], direction: 'in', bodId: 'B1', orderId: '90001', partNumber: 'SKU-1', since: Date.UTC(2026, 4, 1, 10), offset: 50, limit: 50 });
    expect(q.filter).not.to.have.property('until');
    expect(q.problems).to.deep.equal(['unknown status bogus', 'until is not a time']);
  });
});
