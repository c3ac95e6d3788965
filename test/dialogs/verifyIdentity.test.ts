/**
 * The reusable identity step against the simulator over real HTTP, in Arabic and English:
 * Arabic-Indic digits and spaces in the ID, each kind of wrong ID, an unregistered number,
 * wrong codes with Arabic plurals, a locked code replaced once, an existing session reused,
 * an expired one re-verified (locally, and when the service refuses the token mid-task), and
 * the ID, code and token kept out of the logs and the transcript of the real app.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConversationState, MemoryStorage, TestAdapter } from 'botbuilder';
import { ComponentDialog, DialogSet, type DialogState, type WaterfallStepContext, WaterfallDialog } from 'botbuilder-dialogs';
import type { Simulator } from '../../sim';
import { startFrozenSim } from '../helpers/sim';
import { createServicesClient } from '../../adapters/services';
import { createTranslator } from '../../bot/i18n';
import { beginVerification, restartVerified, type ReverifyState, VERIFY_IDENTITY_ID, VerifyIdentityDialog } from '../../dialogs/verifyIdentityDialog';
import { isSessionExpired } from '../../dialogs/serviceErrors';
import { DIALOG_IDS } from '../../dialogs/mainDialog';
import { createLogger } from '../../bot/logger';
import type { App } from '../../bot/app';
import { startApp } from '../helpers/app';
import { say, texts } from '../helpers/http';
import type { ConversationData, UserProfile, VerifiedSession } from '../../dialogs/deps';
import type { FeatureDeps } from '../../dialogs/registry';
import { isSensitiveInput } from '../../dialogs/turnState';
import { ruleRecognizer } from '../helpers/ruleRecognizer';

const OTP = '482913';
const { t } = createTranslator();
let sim: Simulator;
let url: string;

beforeAll(async () => {
  ({ sim, url } = await startFrozenSim(OTP, 'k'));
});
afterAll(async () => {
  await sim?.stop();
});
// Fresh demo data for each test: more than five codes for one ID in 15 minutes are refused.
beforeEach(() => sim.reset());

interface Harness {
  adapter: TestAdapter;
  data: () => Promise<ConversationData>;
  sensitive: boolean[];
}

function harness(locale: 'ar-SA' | 'en-US', preset?: Partial<ConversationData>, task: 'none' | 'profile' = 'none'): Harness {
  const conversationState = new ConversationState(new MemoryStorage());
  const conversation = conversationState.createProperty<ConversationData>('data');
  const profile = conversationState.createProperty<UserProfile>('profile');
  const dialogState = conversationState.createProperty<DialogState>('dialogs');
  const services = createServicesClient({ baseUrl: url, apiKey: 'k', timeoutMs: 5000 });
  const deps: FeatureDeps = { t, recognizer: ruleRecognizer(), state: { conversation, profile }, services };
  const dialogs = new DialogSet(dialogState);
  dialogs.add(new VerifyIdentityDialog(deps));
  // A task step that needs the token: on an expired session it re-verifies and is repeated.
  const lookup = async (step: WaterfallStepContext) => {
    const session = step.result as VerifiedSession | undefined;
    await step.context.sendActivity(session ? `verified:${session.idMasked}:${session.kind}` : 'not verified');
    if (!session || task === 'none') return step.endDialog();
    try {
      const profile = await services.getProfile(session.token);
      await step.context.sendActivity(`profile:${profile.name.en}`);
      return step.endDialog();
    } catch (err) {
      // As the task dialogs do: forget the session and run the waterfall again, verifying first.
      if (isSessionExpired(err)) return restartVerified(step, deps, 'host', (step.options ?? {}) as ReverifyState);
      throw err;
    }
  };
  dialogs.add(new WaterfallDialog('host', [async (step) => beginVerification(step, (step.options ?? {}) as ReverifyState), lookup]));
  const sensitive: boolean[] = [];
  let snapshot: ConversationData | undefined;
  const adapter = new TestAdapter(async (context) => {
    if (preset) {
      const data = await conversation.get(context, {});
      Object.assign(data, preset);
      preset = undefined;
    }
    const dc = await dialogs.createContext(context);
    const r = await dc.continueDialog();
    if (r.status === 'empty') await dc.beginDialog('host');
    sensitive.push(isSensitiveInput(context));
    snapshot = structuredClone(await conversation.get(context, {}));
    await conversationState.saveChanges(context);
  }, { locale });
  return {
    adapter,
    sensitive,
    data: async () => {
      if (!snapshot) throw new Error('no turn yet');
      return snapshot;
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

  it('a wrong check digit is told as such; two wrong codes count down in English, the third try is right', async () => {
    const h = harness('en-US');
    await h.adapter
      .send('verify me').assertReply(t('en', 'verify:askId'))
      .send('2345678905').assertReply(t('en', 'verify:idInvalid.checksum'))
      .send('2345 678 904').assertReply(t('en', 'verify:askCode', { mobile: '05******12' }))
      .send('000000').assertReply('That code isn\'t right. You have 2 tries left.').assertReply(t('en', 'verify:askCodeAgain', { mobile: '05******12' }))
      .send('000001').assertReply('That code isn\'t right. You have one try left.').assertReply(t('en', 'verify:askCodeAgain', { mobile: '05******12' }))
      .send(OTP).assertReply(t('en', 'verify:done', { name: 'Ahmed Hassan Abdelrahman' }))
      .assertReply('verified:******8904:resident');
    const data = await h.data();
    expect(data.session?.token).toMatch(/\S{16,}/);
    expect(data.session?.idMasked).toBe('******8904');
    expect(data.session!.expiresAt - sim.clock.now()).toBeGreaterThan(14 * 60_000);
    // Neither the ID number nor the code is kept anywhere in conversation state.
    expect(JSON.stringify(data)).not.toContain('2345678904');
    expect(JSON.stringify(data)).not.toContain(OTP);
  });

  it('a code left more than five minutes: told it expired, a new one is sent', async () => {
    const h = harness('ar-SA');
    await h.adapter
      .send('تحقق').assertReply(t('ar', 'verify:askId'))
      .send('2475512550').assertReply(t('ar', 'verify:askCode', { mobile: '05******93' }))
      .send('٤٨٢٩١٤').assertReply(t('ar', 'verify:wrongCode', { count: 2 })).assertReply(() => sim.advance(6 * 60_000))
      .send(OTP).assertReply(t('ar', 'verify:codeExpired')).assertReply(t('ar', 'verify:askCode', { mobile: '05******93' }))
      .send('٤٨٢٩١٣').assertReply((a) => expect(a.text).toContain('بلال'))
      .assertReply('verified:******2550:resident');
  });

  it('the service refuses the token mid-task: "session expired", verify again, the step is repeated', async () => {
    const h = harness('ar-SA', undefined, 'profile');
    await h.adapter
      .send('هلا').assertReply(t('ar', 'verify:askId'))
      .send('2345678904').assertReply(() => undefined)
      .send(OTP).assertReply(() => undefined).assertReply('verified:******8904:resident').assertReply('profile:Ahmed Hassan Abdelrahman');
    // 16 minutes later on the services' clock the token is refused, though ours looks valid.
    sim.advance(16 * 60_000);
    const h2 = harness('ar-SA', { session: (await h.data()).session! }, 'profile');
    await h2.adapter
      .send('هلا').assertReply('verified:******8904:resident')
      .assertReply(t('ar', 'services:error.sessionExpired')).assertReply(t('ar', 'verify:askId'))
      .send('2345678904').assertReply(t('ar', 'verify:askCode', { mobile: '05******12' }))
      .send(OTP).assertReply(() => undefined).assertReply('verified:******8904:resident').assertReply('profile:Ahmed Hassan Abdelrahman');
    expect((await h2.data()).session?.token).not.toBe((await h.data()).session?.token);
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

describe('in the real app (restify, CloudAdapter, middleware), with logs at trace', () => {
  const lines: string[] = [];
  let app: App & { baseUrl: string };

  /** The smallest task dialog: verify, then say so (how task dialogs host the step). */
  class VerifiedTask extends ComponentDialog {
    constructor(deps: FeatureDeps) {
      super(DIALOG_IDS.statusLookup);
      this.addDialog(new VerifyIdentityDialog(deps));
      this.addDialog(new WaterfallDialog('steps', [
        async (step) => step.beginDialog(VERIFY_IDENTITY_ID),
        async (step) => {
          await step.context.sendActivity(step.result ? 'task done' : 'task not done');
          return step.endDialog();
        },
      ]));
      this.initialDialogId = 'steps';
    }
  }

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    const services = createServicesClient({ baseUrl: url, apiKey: 'k', timeoutMs: 5000 });
    app = await startApp(
      { LOG_LEVEL: 'trace' },
      {
        logger: createLogger({ level: 'trace', destination }),
        recognizer: ruleRecognizer({ 'verify me': 'status.check' }),
        channels: [() => ({ services })],
        features: [(deps) => new VerifiedTask(deps)],
      },
    );
  }, 30_000);
  afterAll(async () => {
    await app?.close();
  });

  it('the ID number, the code and the token never appear in a log line or the transcript', async () => {
    const conversation = `verify-privacy-${Date.now()}`;
    await say(app.baseUrl, conversation, 'verify me');
    expect(texts(await say(app.baseUrl, conversation, '٢٣٤٥ ٦٧٨ ٩٠٤')).join('\n')).toContain('05******12');
    expect(texts(await say(app.baseUrl, conversation, '000000')).join('\n')).toContain('2');
    expect(texts(await say(app.baseUrl, conversation, OTP)).join('\n')).toContain('task done');
    // The session's token, from the conversation state (the only place it is kept).
    const key = `emulator/conversations/${conversation}/`;
    const token = /"token":"([^"]+)"/.exec(JSON.stringify(await app.storage.read([key])))?.[1];
    expect(token).toMatch(/\S{16,}/);
    const transcript = JSON.stringify(await app.transcripts.read(`emulator/conversations/${conversation}`));
    const logs = lines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(transcript).toContain('[hidden]');
    for (const secret of ['2345678904', '٢٣٤٥ ٦٧٨ ٩٠٤', '٢٣٤٥٦٧٨٩٠٤', OTP, '000000', token!]) {
      expect(transcript, secret).not.toContain(secret);
      expect(logs, secret).not.toContain(secret);
    }
  });
});
