import { expect } from 'chai';
import { bodIdOf, businessKeys, contentHash, redactSecrets, rootName, soapBodyText, splitVerbNoun } from '../../src/messages/bod-text.js';
import { DIRECT_CALL_ENTRY, INBOUND_MACHINE, OUTBOUND_MACHINE, sourcesOf } from '../../src/messages/message-states.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { addItems, getOrder } from '../support/order-bods.js';
import { getAvailabilityBod, itemAtOnline, soap11 } from '../support/test-app.js';

describe('message store: status machines', function () {
  const allowed = <S extends string>(m: { states: readonly S[]; check(a: S, b: S): { ok: boolean } }) =>
    m.states.flatMap((from) => m.states.filter((to) => to !== from && m.check(from, to).ok).map((to) => `${from}→${to}`)).sort();

  it('inbound: received → applied → processed | rejected | faulted | failed; a message that never took effect may start again', function () {
    expect(INBOUND_MACHINE.def.initial).to.equal('received');
    expect(allowed(INBOUND_MACHINE)).to.deep.equal([
      'applied→failed', 'applied→faulted', 'applied→processed', 'applied→rejected', 'failed→received', 'faulted→received',
      'received→applied', 'received→failed', 'received→faulted', 'received→processed', 'received→rejected',
    ]);
    expect(INBOUND_MACHINE.check('rejected', 'received').ok, 'a rejected message was answered: a repeat gets the answer').to.equal(false);
    expect(INBOUND_MACHINE.check('processed', 'received')).to.deep.equal({ ok: false, reason: 'inbound BOD cannot go from processed to received' });
    expect(INBOUND_MACHINE.check('applied', 'received').ok, 'an applied message never runs again').to.equal(false);
  });

  it('outbound: queued → sent → acknowledged | failed | dead; resend takes dead or failed back to queued; direct calls enter at sent', function () {
    expect(OUTBOUND_MACHINE.def.initial).to.equal('queued');
    // Besides the happy path, the moves the relay and jobs make (see message-states.ts): a transfer canceled before
    // it went dies unsent (queued → dead); DOM speaking about an order acknowledges its transfer whatever we knew of
    // it (queued | failed | dead → acknowledged).
    expect(allowed(OUTBOUND_MACHINE)).to.deep.equal([
      'dead→acknowledged', 'dead→queued', 'failed→acknowledged', 'failed→dead', 'failed→queued', 'failed→sent',
      'queued→acknowledged', 'queued→dead', 'queued→sent', 'sent→acknowledged', 'sent→dead', 'sent→failed',
    ]);
    expect(OUTBOUND_MACHINE.check('acknowledged', 'queued').ok).to.equal(false);
    // An interrupted send is never put back to queued: it stays sent (resent by whoever claims it after the lease).
    expect(OUTBOUND_MACHINE.check('sent', 'queued').ok).to.equal(false);
    expect(DIRECT_CALL_ENTRY).to.equal('sent');
    expect(OUTBOUND_MACHINE.check(DIRECT_CALL_ENTRY, 'acknowledged').ok && OUTBOUND_MACHINE.check(DIRECT_CALL_ENTRY, 'failed').ok).to.equal(true);
  });

  it('the guards of the store updates come from the tables', function () {
    expect(sourcesOf(INBOUND_MACHINE, 'applied')).to.deep.equal(['received']);
    expect(sourcesOf(INBOUND_MACHINE, 'processed')).to.deep.equal(['received', 'applied']);
    expect(sourcesOf(OUTBOUND_MACHINE, 'queued')).to.deep.equal(['failed', 'dead']);
  });

  it('the bod_message status CHECK names exactly the states of both machines', function () {
    // The table as the newest migration that made it has it.
    const sql = [...MIGRATIONS].reverse().find((m) => /CREATE TABLE bod_message\w*\s*\(/.test(m.sql))!.sql;
    const check = /status TEXT NOT NULL CHECK \(status IN \(([^)]*)\)\)/.exec(sql)![1]!;
    const listed = check.split(',').map((s) => s.trim().replace(/'/g, '')).sort();
    expect(listed).to.deep.equal([...new Set([...INBOUND_MACHINE.states, ...OUTBOUND_MACHINE.states])].sort());
  });
});

describe('message store: cheap reads of raw BODs', function () {
  it('the SOAP Body text, whatever the prefix, and its hash', function () {
    const bod = '<a:X xmlns:a="urn:a"><a:Y>1</a:Y></a:X>';
    expect(soapBodyText(soap11(bod, '<h:Security xmlns:h="urn:h"/>'))).to.equal(bod);
    expect(soapBodyText(`<Envelope xmlns="urn:e"><Body>${bod}</Body></Envelope>`)).to.equal(bod);
    expect(soapBodyText(bod)).to.equal(bod);
    // The same BOD under another header (a fresh WS-Security nonce) hashes the same; another BOD does not.
    const one = soap11(bod, '<n>1</n>');
    expect(contentHash(one)).to.equal(contentHash(soap11(bod, '<n>2</n>'))).and.to.match(/^[0-9a-f]{64}$/);
    expect(contentHash(one)).to.not.equal(contentHash(soap11(bod.replace('1', '2'))));
    // Hashed from the bytes as received or from the text: the same value, ASCII or not.
    expect(contentHash(one, Buffer.from(one))).to.equal(contentHash(one));
    const accented = soap11('<a:X xmlns:a="urn:a">Zürich</a:X>');
    expect(contentHash(accented, Buffer.from(accented))).to.equal(contentHash(accented));
  });

  it('order id, part number and catalog entry from nouns and from Get expressions', function () {
    expect(businessKeys(addItems([{ catentryId: '20311', partNumber: 'TEST-SKU-0001', quantity: 1 }], '90000777'))).to.deep.equal({ orderId: '90000777', partNumber: 'TEST-SKU-0001', catentryId: '20311' });
    expect(businessKeys(getOrder('90000123'))).to.deep.include({ orderId: '90000123', catentryId: null });
    expect(businessKeys(getAvailabilityBod(itemAtOnline('20312', '10201')))).to.deep.equal({ orderId: null, partNumber: null, catentryId: '20312' });
    expect(businessKeys('<x/>')).to.deep.equal({ orderId: null, partNumber: null, catentryId: null });
  });

  it('root name, verb and noun, BODID', function () {
    const bod = getOrder('1');
    expect(rootName(`<?xml version="1.0"?><!-- c -->${bod}`)).to.equal('GetOrder');
    expect(splitVerbNoun('ProcessInventoryRequirement')).to.deep.equal({ verb: 'Process', noun: 'InventoryRequirement' });
    expect(splitVerbNoun('Heartbeat')).to.deep.equal({ verb: null, noun: 'Heartbeat' });
    expect(bodIdOf(bod)).to.match(/^test-/);
    expect(bodIdOf('<x/>')).to.equal(null);
  });

  it('WS-Security passwords never reach the store', function () {
    const header = '<wsse:Security><wsse:UsernameToken><wsse:Username>dom</wsse:Username><wsse:Password Type="…#PasswordText">s3cret</wsse:Password></wsse:UsernameToken></wsse:Security>';
    const stored = redactSecrets(soap11('<x/>', header));
    expect(stored).to.not.contain('s3cret');
    expect(stored).to.contain('<wsse:Password Type="…#PasswordText">***</wsse:Password>').and.to.contain('<wsse:Username>dom</wsse:Username>');
  });
});
