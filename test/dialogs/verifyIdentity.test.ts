/**
 * The reusable identity step against the simulator over real HTTP, in Arabic and English:
 * Arabic-Indic digits and spaces in the ID, each kind of wrong ID, an unregistered number,
 * wrong codes with Arabic plurals, a locked code replaced once, an existing session reused,
 * an expired one re-verified, and the code kept out of the transcript.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationState, MemoryStorage, type TurnContext, TestAdapter } from 'botbuilder';
import { DialogSet, type DialogState, WaterfallDialog } from 'botbuilder-dialogs';
import { createSimClock, createSimulator, type Simulator } from '../../sim';
import { createServicesClient } from '../../adapters/services';
import { createTranslator } from '../../bot/i18n';
import { VERIFY_IDENTITY_ID, VerifyIdentityDialog } from '../../dialogs/verifyIdentityDialog';
import type { ConversationData, UserProfile, VerifiedSession } from '../../dialogs/deps';
import type { FeatureDeps } from '../../dialogs/registry';
import { isSensitiveInput } from '../../dialogs/turnState';
import { ruleRecognizer } from '../helpers/ruleRecognizer';

const OTP = '482913';
const { t } = createTranslator();
let sim: Simulator;
let url: string;

beforeAll(async () => {
  sim = createSimulator({ clock: createSimClock({ start: new Date(), frozen: true }), otpCode: OTP, apiKey: 'k', admin: true, autoPayBillsAfterMs: null });
  ({ url } = await sim.start());
});
afterAll(async () => {
  await sim?.stop();
});

interface Harness {
  adapter: TestAdapter;
  data: () => Promise<ConversationData>;
  sensitive: boolean[];
}

function harness(locale: 'ar-SA' | 'en-US', preset?: Partial<ConversationData>): Harness {
  const conversationState = new ConversationState(new MemoryStorage());
  const conversation = conversationState.createProperty<ConversationData>('data');
  const profile = conversationState.createProperty<UserProfile>('profile');
  const dialogState = conversationState.createProperty<DialogState>('dialogs');
  const services = createServicesClient({ baseUrl: url, apiKey: 'k', timeoutMs: 5000 });
  const deps: FeatureDeps = { t, recognizer: ruleRecognizer(), state: { conversation, profile }, services };
  const dialogs = new DialogSet(dialogState);
  dialogs.add(new VerifyIdentityDialog(deps));
  dialogs.add(new WaterfallDialog('host', [
    async (step) => step.beginDialog(VERIFY_IDENTITY_ID),
    async (step) => {
      const session = step.result as VerifiedSession | undefined;
      await step.context.sendActivity(session ? `verified:${session.idMasked}:${session.kind}` : 'not verified');
      return step.endDialog();
    },
  ]));
  const sensitive: boolean[] = [];
  let current: TurnContext | undefined;
  const adapter = new TestAdapter(async (context) => {
    current = context;
    if (preset) {
      const data = await conversation.get(context, {});
      Object.assign(data, preset);
      preset = undefined;
    }
    const dc = await dialogs.createContext(context);
    const r = await dc.continueDialog();
    if (r.status === 'empty') await dc.beginDialog('host');
    sensitive.push(isSensitiveInput(context));
    await conversationState.saveChanges(context);
  }, { locale });
  return {
    adapter,
    sensitive,
    data: async () => {
      if (!current) throw new Error('no turn yet');
      return conversation.get(current, {});
    },
  };
}

describe('verify identity', () => {
  it('Arabic: an ID typed with Arabic-Indic digits and spaces, the code, a session', async () => {
    const h = harness('ar-SA');
    await h.adapter
      .send('ابي اتحقق').assertReply(t('ar', 'verify:askId'))
      .send('٢٣٤٥ ٦٧٨ ٩٠٤').assertReply(t('ar', 'verify:askCode', { mobile: '05******12' }))
      .send('٤٨٢٩١٣').assertReply((a) => expect(a.text).toContain('أهلاً أحمد'))
      .assertReply('verified:******8904:resident');
    expect(h.sensitive).toEqual([false, false, true]);
  });

  it('English: each kind of wrong ID gets its reason, then an unregistered number, then a right one', async () => {
    const h = harness('en-US');
    await h.adapter
      .send('verify me').assertReply(t('en', 'verify:askId'))
      .send('12345').assertReply(t('en', 'verify:idInvalid.length'))
      .send('3345678904').assertReply(t('en', 'verify:idInvalid.prefix'))
      .send('2345678905').assertReply(t('en', 'verify:gaveUp'))
      .assertReply('not verified');
    const h2 = harness('en-US');
    await h2.adapter
      .send('verify me').assertReply(t('en', 'verify:askId'))
      .send('2456781554').assertReply(t('en', 'verify:notRegistered', { id: '******1554' })).assertReply(t('en', 'verify:askId'))
      .send('1104837263').assertReply(t('en', 'verify:askCode', { mobile: '05******81' }))
      .send(OTP).assertReply((a) => expect(a.text).toContain('Welcome, Abdullah'))
      .assertReply('verified:******7263:citizen');
  });

  it('wrong codes count down in Arabic, three lock the code and a fresh one is sent once', async () => {
    const h = harness('ar-SA');
    await h.adapter
      .send('تحقق').assertReply(t('ar', 'verify:askId'))
      .send('2100398474').assertReply(t('ar', 'verify:askCode', { mobile: '05******47' }))
      .send('111111').assertReply(t('ar', 'verify:wrongCode', { count: 2 })).assertReply(t('ar', 'verify:askCodeAgain', { mobile: '05******47' }))
      .send('222222').assertReply(t('ar', 'verify:wrongCode', { count: 1 })).assertReply(t('ar', 'verify:askCodeAgain', { mobile: '05******47' }))
      .send('333333').assertReply(t('ar', 'verify:codeLocked')).assertReply(t('ar', 'verify:askCode', { mobile: '05******47' }))
      .send(OTP).assertReply((a) => expect(a.text).toContain('محمد'))
      .assertReply('verified:******8474:resident');
    expect(t('ar', 'verify:wrongCode', { count: 2 })).toContain('محاولتان');
  });

  it('a code that is not digits is refused without spending a try', async () => {
    const h = harness('en-US');
    await h.adapter
      .send('hi').assertReply(t('en', 'verify:askId'))
      .send('2345678904').assertReply(t('en', 'verify:askCode', { mobile: '05******12' }))
      .send('my code is abc').assertReply(t('en', 'verify:codeFormat'))
      .send(OTP).assertReply((a) => expect(a.text).toContain('Welcome'))
      .assertReply('verified:******8904:resident');
  });

  it('reuses a live session without asking, and re-verifies an expired one', async () => {
    const live: VerifiedSession = { token: 'x'.repeat(32), expiresAt: Date.now() + 10 * 60_000, idMasked: '******8904', kind: 'resident', name: { ar: 'أحمد', en: 'Ahmed' } };
    await harness('ar-SA', { session: live }).adapter.send('هلا').assertReply('verified:******8904:resident');
    const expired = { ...live, expiresAt: Date.now() - 1000 };
    const h = harness('ar-SA', { session: expired });
    await h.adapter.send('هلا').assertReply(t('ar', 'verify:askId'));
  });

  it('the services API down: a polite message and no crash', async () => {
    const conversationState = new ConversationState(new MemoryStorage());
    const deps: FeatureDeps = {
      t,
      recognizer: ruleRecognizer(),
      state: { conversation: conversationState.createProperty('d'), profile: conversationState.createProperty('p') },
      services: createServicesClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', timeoutMs: 300, retry: { retries: 0, initialDelayMs: 1, maxDelayMs: 1 } }),
    };
    const dialogs = new DialogSet(conversationState.createProperty<DialogState>('s'));
    dialogs.add(new VerifyIdentityDialog(deps));
    const adapter = new TestAdapter(async (context) => {
      const dc = await dialogs.createContext(context);
      const r = await dc.continueDialog();
      if (r.status === 'empty') await dc.beginDialog(VERIFY_IDENTITY_ID);
      await conversationState.saveChanges(context);
    }, { locale: 'en-US' });
    await adapter
      .send('hi').assertReply(t('en', 'verify:askId'))
      .send('2345678904').assertReply((a) => expect(a.text).toBe(t('en', 'verify:failed', { reason: t('en', 'services:error.unavailable') })));
  });
});
