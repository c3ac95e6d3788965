/**
 * The same request is never filed twice. The services API creates the record but its answer
 * is lost (a fault proxy in front of the simulator cuts the connection after forwarding); the
 * user gives up, starts over from the menu, and again in a new conversation, with the same
 * content: the simulator holds one ticket (one attachment, one bill) and the user hears the
 * number of the one already filed. Before the keys were derived from the content, each new
 * run of the dialog had keys of its own and made a second record. Upload keys leave out the
 * description and fields (they can change after the upload): before, a description edited after
 * the upload gave the redone request new attachment ids, so a new ticket key and a second ticket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim';
import { tawasulDialogFactory } from '../../dialogs/tawasulDialog';
import { iqamaRenewalDialogFactory } from '../../dialogs/iqamaRenewalDialog';
import { startFaultProxy, type FaultProxy } from '../services/faultProxy';
import { AHMED, OTP, harness, play, startStatusSim, useSimulator, t, texts, type Harness } from '../status/support';

let sim: Simulator;
let url: string;
let proxy: FaultProxy;

useSimulator(startStatusSim, (running) => ({ sim, url } = running));
beforeAll(async () => {
  proxy = await startFaultProxy(url);
});
afterAll(() => proxy.stop());

const en = (key: string, args?: Record<string, unknown>) => t('en', `tawasul:${key}`, args);
const PDF = `data:application/pdf;base64,${Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n').toString('base64')}`;
const DESCRIPTION = 'Can my mother extend her visit visa by one month?';

/** Verify (unless the conversation already holds a session) and fill the same request up to the review. */
async function fillRequest(h: Harness, verify: boolean): Promise<void> {
  await play(h, verify ? [['open a tawasul ticket', t('en', 'verify:askId')], [AHMED, 'code'], [OTP, en('askSection')]] : [['open a tawasul ticket', en('askSection')]]);
  await play(h, [
    ['General inquiries', 'Topic: choose one of the buttons.'],
    ['Visas', 'Describe your request'],
    [DESCRIPTION, 'Send any attachments'],
  ]);
  const added = await h.sayActivity({ text: '', attachments: [{ contentType: 'application/pdf', contentUrl: PDF, name: 'visa.pdf' }] });
  expect(texts(added)).toContain(en('file.added', { name: 'visa.pdf', n: 1, max: 5 }));
  await play(h, [[en('next.done'), en('review.ask')]]);
}

/** A second, different request of the same type, up to the attachments question. */
async function askAboutFathersVisa(h: Harness): Promise<void> {
  await play(h, [
    ['open a tawasul ticket', en('askSection')],
    ['General inquiries', 'Topic: choose one of the buttons.'],
    ['Visas', 'Describe your request'],
    ['Can my father extend his visit visa by two months?', 'Send any attachments'],
  ]);
}

describe('no duplicate writes across a restart of the form', () => {
  it('Tawasul: a lost answer, then the same request from the menu and in a new conversation → one ticket, its number told', async () => {
    const h = harness({ sim, url: proxy.url, locale: 'en-US', features: [tawasulDialogFactory] });
    await fillRequest(h, true);
    proxy.plan('forwardThenReset');
    const lost = texts(await h.say(en('next.submit')));
    expect(lost).not.toMatch(/sent as 7\d{8}/);
    expect(sim.created.tickets).toBe(1); // the services API did file it
    await h.say('menu');

    // Redone from the menu in the same conversation.
    await fillRequest(h, false);
    const again = texts(await h.say(en('next.submit')));
    const number = /already sent to Tawasul as (7\d{8})/.exec(again)?.[1];
    expect(number).toBeDefined();
    expect(again).toContain(en('alreadyFiled', { number }));

    // And in a new conversation, verified again.
    const h2 = harness({ sim, url: proxy.url, locale: 'en-US', features: [tawasulDialogFactory] });
    await fillRequest(h2, true);
    expect(texts(await h2.say(en('next.submit')))).toContain(en('alreadyFiled', { number }));
    expect(sim.created).toMatchObject({ tickets: 1, attachments: 1 });
  });

  it('Tawasul: the description changed after the upload, the answer lost, the final request redone → one ticket, one attachment', async () => {
    const h = harness({ sim, url: proxy.url, locale: 'en-US', features: [tawasulDialogFactory] });
    await play(h, [['open a tawasul ticket', t('en', 'verify:askId')], [AHMED, 'code'], [OTP, en('askSection')]]);
    await play(h, [
      ['General inquiries', 'Topic: choose one of the buttons.'],
      ['Visas', 'Describe your request'],
      ['My mother wants to extend her visa', 'Send any attachments'],
    ]);
    expect(texts(await h.sayActivity({ text: '', attachments: [{ contentType: 'application/pdf', contentUrl: PDF, name: 'visa.pdf' }] }))).toContain(en('file.added', { name: 'visa.pdf', n: 1, max: 5 }));
    await play(h, [
      [en('next.done'), en('review.ask')],
      [en('next.changeDescription'), 'Describe your request'],
      [DESCRIPTION, en('review.ask')],
    ]);
    proxy.plan('forwardThenReset');
    expect(texts(await h.say(en('next.submit')))).not.toMatch(/sent as 7\d{8}/);
    expect(sim.created).toMatchObject({ tickets: 1, attachments: 1 });

    // The same final request, in a new conversation: the file is uploaded while the description is already the final one.
    const h2 = harness({ sim, url: proxy.url, locale: 'en-US', features: [tawasulDialogFactory] });
    await fillRequest(h2, true);
    expect(texts(await h2.say(en('next.submit')))).toMatch(/already sent to Tawasul as 7\d{8}/);
    expect(sim.created).toMatchObject({ tickets: 1, attachments: 1 });
  });

  it('Tawasul: the same file in a later, different request is filed (asked again once, as the first ticket holds it)', async () => {
    const h = harness({ sim, url, locale: 'en-US', features: [tawasulDialogFactory] });
    await fillRequest(h, true);
    expect(texts(await h.say(en('next.submit')))).toMatch(/sent as 7\d{8}/);
    await askAboutFathersVisa(h);
    await h.sayActivity({ text: '', attachments: [{ contentType: 'application/pdf', contentUrl: PDF, name: 'visa.pdf' }] });
    await play(h, [[en('next.done'), en('review.ask')]]);
    // The upload key is who + file, so the upload replays the first ticket's attachment, which the services API refuses to reuse.
    expect(texts(await h.say(en('next.submit')))).toContain(en('file.usedBefore'));
    await h.sayActivity({ text: '', attachments: [{ contentType: 'application/pdf', contentUrl: PDF, name: 'visa.pdf' }] });
    await play(h, [[en('next.done'), en('review.ask')]]);
    expect(texts(await h.say(en('next.submit')))).toMatch(/sent as 7\d{8}/);
    expect(sim.created).toMatchObject({ tickets: 2, attachments: 2 });
  });

  it('Tawasul: a different description is a different request', async () => {
    const h = harness({ sim, url, locale: 'en-US', features: [tawasulDialogFactory] });
    await fillRequest(h, true);
    expect(texts(await h.say(en('next.submit')))).toMatch(/sent as 7\d{8}/);
    await askAboutFathersVisa(h);
    await play(h, [['Skip', en('review.ask')]]);
    expect(texts(await h.say(en('next.submit')))).toMatch(/sent as 7\d{8}/);
    expect(sim.created.tickets).toBe(2);
  });

  it('iqama renewal: the bill whose answer was lost is the bill of the next try, in a new conversation', async () => {
    const features = [iqamaRenewalDialogFactory];
    const start = async (h: Harness) => {
      await play(h, [['renew my wife\'s iqama', t('en', 'verify:askId')], [AHMED, 'code'], [OTP, 'How long'], ['12 months', t('en', 'iqama:review.ask')]]);
    };
    const h = harness({ sim, url: proxy.url, locale: 'en-US', features });
    await start(h);
    proxy.plan('forwardThenReset');
    await h.say('Confirm');
    expect(sim.created.bills).toBe(1);
    const h2 = harness({ sim, url: proxy.url, locale: 'en-US', features });
    await start(h2);
    expect(texts(await h2.say('Confirm'))).toContain('93000000101');
    expect(sim.created.bills).toBe(1);
  });
});
