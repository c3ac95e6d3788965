/**
 * The multi-turn conversation suite: people leaving the happy path the way they do — answers in
 * sentences, corrections, questions mid-flow, changes of task, typos, Gulf dialect, Arabizi,
 * mixed Arabic-English, Arabic-Indic digits. Each conversation is a table of user lines (with an
 * optional expectation on the reply to a line) and a GOAL checked on the reply to the last line.
 *
 * Kept apart from training: the runner fails if any user line appears verbatim in
 * locales/{ar,en}/nlu.json. Do not copy these lines into the training examples.
 */

export const AHMED = '2345678904';
export const MOHAMMED = '2100398474';
export const OTP = '246810';
const AHMED_AR = '٢٣٤٥٦٧٨٩٠٤';
const OTP_AR = '٢٤٦٨١٠';

/** An expectation on one reply: every `match` must be found, no `forbid` may be. */
export interface Expect {
  match?: RegExp[];
  forbid?: RegExp[];
  /** Must match one of the buttons offered with the reply. */
  button?: RegExp;
}

export type Turn = string | [string, Expect];

export type Kind =
  | 'sentence-answer'
  | 'correction'
  | 'mid-flow-question'
  | 'task-switch'
  | 'wrong-id'
  | 'language-switch'
  | 'long-message'
  | 'follow-up'
  | 'out-of-scope'
  | 'greeting'
  | 'payment'
  | 'review'
  | 'tawasul'
  | 'misses'
  | 'arabizi'
  | 'dialect';

export interface Conversation {
  id: string;
  lang: 'ar' | 'en';
  kind: Kind;
  turns: Turn[];
  /** Checked on the replies to the last line. */
  goal: Expect;
  /** Must not appear in any reply of the conversation (e.g. a cancellation at the payment step). */
  never?: RegExp[];
}

// Goals and recurring expectations.
const RENEWED_AR = /برقم 4000001\d\d/;
const RENEWED_EN = /as request 4000001\d\d/;
const BILL_AR = /رقم سداد: 930000001\d\d/;
const BILL_EN = /SADAD number: 930000001\d\d/;
const STATUS_101 = /400000101[\s\S]*(قيدت|Recorded)/;
const TICKET = /7000001(0[5-9]|[1-9]\d)/;
const ASK_DURATION_MONA_AR = /ما مدة تجديد إقامة منى/;
const ASK_DURATION_MONA_EN = /How long should Mona/;
const CANCELLED = /تم الإلغاء|cancelled|canceled/i;
const TAWASUL_SECTION_AR = /القسم المختص/;
const MENU_AR = /تجديد إقامة/;
const MENU_EN = /Renew|iqama/i;
const AGENT_AR = /موظف/;
const AGENT_EN = /agent/i;
const ARABIC = /[\u0621-\u064A]{3}/;
const ENGLISH_WORDS = /\b(the|your|you|please|choose)\b/i;

const ahmed = (digits: 'ascii' | 'arabic' = 'ascii'): string[] => (digits === 'ascii' ? [AHMED, OTP] : [AHMED_AR, OTP_AR]);
const mohammed = (): string[] => [MOHAMMED, OTP];

const LONG_AR =
  'السلام عليكم ورحمة الله وبركاته، اسمحوا لي أطول عليكم شوي لأن الموضوع له قصة. أنا مقيم في الرياض من أكثر من عشر سنين، وأشتغل في شركة مقاولات، ' +
  'وزوجتي معي هنا من خمس سنين والحمد لله أمورنا طيبة. قبل كم شهر جددت جوازها من السفارة لأن الجواز القديم كان قرب ينتهي، وحدثت بياناته وكل شي تمام. ' +
  'بعدها صار عندنا ظرف عائلي وسافرنا إجازة طويلة ورجعنا قبل أسبوعين تقريباً، وانشغلت بالدوام والأولاد والمدارس ونسيت موضوع الإقامة تماماً. ' +
  'أمس وصلتني رسالة على الجوال إن إقامتها قربت تنتهي، وخفت يكون فيه غرامة أو مشكلة لو تأخرت، وسألت زملائي في الشغل وكل واحد قال لي كلام مختلف، ' +
  'واحد يقول لازم تروح الجوازات بنفسك وتاخذ موعد، والثاني يقول كله من أبشر، والثالث يقول لازم تأمين طبي جديد قبل كل شي. التأمين الصحي عندنا ساري ' +
  'من الشركة ويغطيني أنا وزوجتي والأولاد، والعنوان الوطني مسجل من زمان، وما علينا مخالفات على حد علمي، ودفعت رسوم المرافقين اللي كانت مطلوبة السنة اللي فاتت. ' +
  'حاولت أدخل أبشر من الجوال بس التطبيق كان يعلق معي وما عرفت وين ألقى الخدمة بالضبط، وبعدين قالوا لي إن فيه مساعد يقدر يسوي الطلب مباشرة من هنا ' +
  'بدون ما أروح لأي مكان، فقلت أجرب وأشوف. أعتذر على الإطالة بس حبيت أوضح الصورة كاملة عشان ما يصير فيه لخبطة وتعرفون وضعي بالضبط. ' +
  'المهم، أبي أجدد إقامة زوجتي الحين';

const LONG_EN =
  "Hi there, sorry in advance for the long message, I just want to explain my situation properly. I've been living in Jeddah for about eight years now and " +
  'I work for a logistics company. My wife joined me five years ago and the kids go to school here. A few months ago we renewed her passport at the embassy ' +
  'and updated the details, everything went fine. Then we travelled home for a family emergency and only came back two weeks ago, and with work and school ' +
  'I completely forgot about her residency. Yesterday I got a text message saying her iqama is about to expire and I got worried about fines. My colleagues ' +
  'all told me different things: one said I need an appointment at the passport office, another said everything is on Absher, and a third said I need new ' +
  'medical insurance first. Our insurance is through my company and covers the whole family, our national address has been registered for years, and as far ' +
  "as I know we don't have any violations. I tried the Absher app on my phone but it kept freezing and I couldn't find the right page, then someone told me " +
  "this assistant can do it directly. So, long story short, I need to renew my wife's iqama now";

const LONG_STATUS_AR =
  'مساء الخير، عندي موضوع محيرني من فترة وابي افهمه. جددت جوازي قبل شهرين من السفارة وبعدها دخلت ابشر وحدثت معلومات الجواز الجديد، ' +
  'وطلع لي رقم طلب وقالوا لي تابع الطلب. صار لي كم يوم ادخل وما فهمت وش الوضع بالضبط، وخايف يكون فيه نقص في الاوراق او شي مطلوب مني وانا ما ادري، ' +
  'لاني مسافر الشهر الجاي ولازم تكون كل اموري سليمة قبل السفر. سألت واحد من الربع وقال لي شيك عليه عن طريق المساعد اسهل. ' +
  'فلو سمحت وش صار على طلبي رقم 400000101';

const LONG_FAQ_AR =
  'السلام عليكم، ابي استفسر عن شي قبل لا اسوي اي خطوة. عندي اهلي معي في المملكة، زوجتي وثلاث عيال، واقامة واحد منهم بتخلص بعد شهرين تقريباً. ' +
  'المرة اللي فاتت تأخرت في التجديد وصار فيه تعقيدات كثيرة وما ابي تتكرر نفس السالفة، فحاب اجهز كل شي من بدري واتأكد ان ما فيه شي ناقص علي. ' +
  'فسؤالي بالضبط: وش الشروط المطلوبة لتجديد الاقامة؟';

export const CONVERSATIONS: Conversation[] = [
  // ── answers in a sentence ──────────────────────────────────────────────────────────
  { id: 'ar-sentence-full-year', lang: 'ar', kind: 'sentence-answer', turns: ['السلام عليكم ابغى اجدد اقامه زوجتي', 'رقم هويتي 2345678904', 'الرمز 246810', 'ابيها سنه كامله', 'تمام اكد', 'سددت'], goal: { match: [RENEWED_AR] } },
  { id: 'ar-sentence-six-months', lang: 'ar', kind: 'sentence-answer', turns: ['ابي اجدد الاقامه لزوجتي', `هويتي ${AHMED_AR}`, OTP_AR, 'خلها ست شهور', 'ايه صحيحة', 'خلاص سددتها'], goal: { match: [RENEWED_AR] }, never: [CANCELLED] },
  { id: 'ar-sentence-three-months', lang: 'ar', kind: 'sentence-answer', turns: ['ودي اجدد اقامة منى', ...ahmed(), '٣ شهور بس', 'اي نعم صحيحه', 'دفعت الحين'], goal: { match: [RENEWED_AR] } },
  { id: 'ar-sentence-member-named', lang: 'ar', kind: 'sentence-answer', turns: ['تجديد اقامه', ...ahmed(), 'زوجتي منى', 'سنة', 'أكد', 'خلاص دفعت'], goal: { match: [RENEWED_AR] }, never: [CANCELLED] },
  { id: 'ar-sentence-ordinal', lang: 'ar', kind: 'sentence-answer', turns: ['ابي اجدد اقامة', ...ahmed(), 'الاولى', '9 اشهر', 'تاكيد', 'سددت الفاتوره'], goal: { match: [RENEWED_AR] } },
  { id: 'ar-sentence-daughter', lang: 'ar', kind: 'sentence-answer', turns: ['ابي اجدد اقامة', ...ahmed(), 'ابي اجدد لبنتي ليلى'], goal: { match: [/ليلى أحمد حسن/, /تأمين صحي/] } },
  { id: 'ar-sentence-mother', lang: 'ar', kind: 'sentence-answer', turns: ['ابي اجدد اقامة الوالده', ...ahmed()], goal: { match: [/فاطمة/, /الفحص الطبي/] } },
  { id: 'ar-sentence-id-and-code', lang: 'ar', kind: 'sentence-answer', turns: ['ابي اجدد اقامة زوجتي الله يعافيك', 'هذا رقمي 2345678904', 'الكود هو ٢٤٦٨١٠', 'سنه', 'صح', 'تم السداد'], goal: { match: [RENEWED_AR] } },
  { id: 'en-sentence-full-year', lang: 'en', kind: 'sentence-answer', turns: ["hi, I want to renew my wife's iqama", 'my id is 2345678904', 'the code is 246810', 'a full year please', "yes that's correct", 'ok I paid it'], goal: { match: [RENEWED_EN] } },
  { id: 'en-sentence-six-months', lang: 'en', kind: 'sentence-answer', turns: ['renew iqama for my wife', ...ahmed(), '6 months would be fine', 'looks good, go ahead', 'done, paid'], goal: { match: [RENEWED_EN] }, never: [CANCELLED] },
  { id: 'en-sentence-member-named', lang: 'en', kind: 'sentence-answer', turns: ['i need to renew my family iqama', ...ahmed(), 'my wife Mona', '12', 'confirm', 'paid'], goal: { match: [RENEWED_EN] } },
  { id: 'en-possessive-layla', lang: 'en', kind: 'sentence-answer', turns: ["renew my daughter Layla's iqama", ...ahmed()], goal: { match: [/Layla/, /health insurance/i] } },
  { id: 'en-sentence-ordinal', lang: 'en', kind: 'sentence-answer', turns: ['renew an iqama pls', ...ahmed(), 'the first one', 'three months', 'yes', "I've paid the bill"], goal: { match: [RENEWED_EN] } },
  { id: 'en-sentence-typos', lang: 'en', kind: 'sentence-answer', turns: ['can u renew my wifes iqama', ...ahmed(), '1 year', 'yes confirm', 'paid it just now'], goal: { match: [RENEWED_EN] } },

  // ── the review and the payment question ────────────────────────────────────────────
  { id: 'ar-review-ayh-sahiha', lang: 'ar', kind: 'review', turns: ['ابغى اجدد اقامه زوجتي', ...ahmed(), '١٢ شهر', 'ايه صحيحة'], goal: { match: [BILL_AR] } },
  { id: 'ar-review-kilshay-sah', lang: 'ar', kind: 'review', turns: ['ابي اجدد اقامة زوجتي لو سمحت', ...ahmed(), 'سنة', 'ايوه كل شي صح'], goal: { match: [BILL_AR] } },
  { id: 'en-review-yep', lang: 'en', kind: 'review', turns: ["need to renew my wife's iqama pls", ...ahmed(), '12 months', 'yep all correct'], goal: { match: [BILL_EN] } },
  { id: 'ar-payment-sadadtaha', lang: 'ar', kind: 'payment', turns: ['ودي اجدد اقامة الزوجه', ...ahmed(), 'سنة', 'تأكيد', 'خلاص سددتها'], goal: { match: [RENEWED_AR] }, never: [CANCELLED] },
  { id: 'ar-payment-dafa3t', lang: 'ar', kind: 'payment', turns: ['بجدد اقامة زوجتي', ...ahmed(), '6 شهور', 'تأكيد', 'خلاص دفعت'], goal: { match: [RENEWED_AR] }, never: [CANCELLED] },
  { id: 'en-payment-done-paid', lang: 'en', kind: 'payment', turns: ['renew my wife iqama please', ...ahmed(), '12 months', 'confirm', 'done, I paid it'], goal: { match: [RENEWED_EN] }, never: [CANCELLED] },

  // ── corrections that carry their value ─────────────────────────────────────────────
  { id: 'ar-correct-six-months', lang: 'ar', kind: 'correction', turns: ['ابي اجدد اقامة ام العيال', ...ahmed(), 'سنة', 'لا غلطت، خلها ٦ شهور'], goal: { match: [/مدة التجديد: 6 أشهر/, /400 ريال/] } },
  { id: 'ar-correct-change-duration', lang: 'ar', kind: 'correction', turns: ['لو سمحت ابي اجدد اقامة زوجتي', ...ahmed(), '12 شهر', 'ابي اغير المدة', '6 شهور'], goal: { match: [/مدة التجديد: 6 أشهر/] } },
  { id: 'ar-correct-to-year', lang: 'ar', kind: 'correction', turns: ['ابي اجدد اقامة زوجتي الله يعافيك', ...ahmed(), '٩ شهور', 'لا لا خلها سنه'], goal: { match: [/مدة التجديد: 12 شهراً/] } },
  { id: 'ar-correct-member', lang: 'ar', kind: 'correction', turns: ['ابغى اجدد اقامه زوجتي', ...ahmed(), 'سنة', 'لا مو زوجتي، بنتي ليلى'], goal: { match: [/ليلى أحمد حسن/, /تأمين صحي/] } },
  { id: 'en-correct-six-months', lang: 'en', kind: 'correction', turns: ["I'd like to renew my wife's iqama", ...ahmed(), '12 months', 'change the duration to 6 months'], goal: { match: [/Renewal for: 6 months/, /400 SAR/] } },
  { id: 'en-correct-actually', lang: 'en', kind: 'correction', turns: ["pls renew wife's iqama", ...ahmed(), '1 year', 'actually make it 3 months'], goal: { match: [/Renewal for: 3 months/] } },

  // ── a question in the middle of a flow ─────────────────────────────────────────────
  { id: 'ar-question-at-duration', lang: 'ar', kind: 'mid-flow-question', turns: ['ابي اجدد اقامة زوجتي لو سمحت', ...ahmed(), 'قبل لا اختار، وش الشروط المطلوبة للتجديد؟'], goal: { match: [/سداد جميع الرسوم والمخالفات/, ASK_DURATION_MONA_AR] } },
  { id: 'ar-question-then-finish', lang: 'ar', kind: 'mid-flow-question', turns: ['ودي اجدد اقامة الزوجه', ...ahmed(), 'وش الشروط المطلوبه؟', 'طيب سنه', 'ايه صحيحة', 'سددت'], goal: { match: [RENEWED_AR] } },
  { id: 'en-question-at-duration', lang: 'en', kind: 'mid-flow-question', turns: ["help me renew my wife's iqama", ...ahmed(), 'wait, what are the requirements for renewing?'], goal: { match: [/passport/i, ASK_DURATION_MONA_EN] } },
  { id: 'en-question-at-review', lang: 'en', kind: 'mid-flow-question', turns: ["need to renew my wife's iqama pls", ...ahmed(), '12 months', 'btw what does قيدت mean?'], goal: { match: [/established and registered|recorded/i, /Is everything right|Confirm/] } },
  { id: 'ar-question-at-section', lang: 'ar', kind: 'mid-flow-question', turns: ['ابي افتح طلب تواصل', ...ahmed(), 'وش هي خدمة تواصل اصلا؟'], goal: { match: [/تتيح للمقيمين/, TAWASUL_SECTION_AR] } },
  { id: 'en-question-at-id', lang: 'en', kind: 'mid-flow-question', turns: ['can you track my request', 'is my data safe with absher?'], goal: { match: [/security|protect/i, /ID number|iqama number/i] } },

  // ── a change of task ───────────────────────────────────────────────────────────────
  { id: 'ar-switch-to-status', lang: 'ar', kind: 'task-switch', turns: ['ابي اجدد اقامة', ...ahmed(), 'لا خلاص، بدال التجديد ابي اعرف وش صار على طلبي 400000101'], goal: { match: [STATUS_101] } },
  { id: 'en-switch-to-status', lang: 'en', kind: 'task-switch', turns: ['renew an iqama pls', ...ahmed(), "forget the renewal, what's the status of request 400000101?"], goal: { match: [STATUS_101] } },
  { id: 'ar-switch-to-tawasul', lang: 'ar', kind: 'task-switch', turns: ['بجدد اقامة زوجتي', ...ahmed(), 'سنة', 'اقول خلني افتح طلب تواصل احسن'], goal: { match: [TAWASUL_SECTION_AR] } },
  { id: 'en-switch-to-renewal', lang: 'en', kind: 'task-switch', turns: ['I want to open a tawasul request', ...ahmed(), "actually I'd rather renew my wife's iqama"], goal: { match: [ASK_DURATION_MONA_EN] } },
  { id: 'ar-switch-after-status', lang: 'ar', kind: 'task-switch', turns: ['وش صار على طلبي 400000101', ...ahmed(), 'طيب ابي اجدد اقامة زوجتي'], goal: { match: [ASK_DURATION_MONA_AR] } },
  { id: 'ar-switch-visa-number', lang: 'ar', kind: 'task-switch', turns: ['ابي اجدد اقامة ام العيال', ...ahmed(), 'وش صار على 400000104'], goal: { match: [/400000104[\s\S]*تمت الموافقة/] } },

  // ── a wrong ID, then the right one ─────────────────────────────────────────────────
  { id: 'ar-wrong-id-sorry', lang: 'ar', kind: 'wrong-id', turns: ['لو سمحت ابي اجدد اقامة زوجتي', '2345678905', 'اسف غلطت، الصحيح 2345678904', OTP], goal: { match: [ASK_DURATION_MONA_AR] } },
  { id: 'ar-wrong-id-short', lang: 'ar', kind: 'wrong-id', turns: ['وش صار على طلبي 400000101', '234567890', AHMED_AR, OTP_AR], goal: { match: [STATUS_101] } },
  { id: 'en-wrong-id-sorry', lang: 'en', kind: 'wrong-id', turns: ['status of 400000101', '2345678905', "sorry wrong one, it's 2345678904", OTP], goal: { match: [STATUS_101] } },
  { id: 'ar-wrong-id-spaces', lang: 'ar', kind: 'wrong-id', turns: ['ابي افتح طلب تواصل', 'رقمي 12345', 'سوري الصحيح ٢٣٤٥ ٦٧٨ ٩٠٤', OTP], goal: { match: [TAWASUL_SECTION_AR] } },
  { id: 'en-wrong-id-typo', lang: 'en', kind: 'wrong-id', turns: ['renew my wife iqama please', '2345678940', 'oops typo: 2345678904', OTP], goal: { match: [ASK_DURATION_MONA_EN] } },
  { id: 'ar-wrong-code-then-right', lang: 'ar', kind: 'wrong-id', turns: ['متابعة طلبي 400000101', AHMED, '246811', 'الرمز الصحيح 246810'], goal: { match: [STATUS_101] } },

  // ── language ───────────────────────────────────────────────────────────────────────
  { id: 'ar-to-en-mid-step', lang: 'ar', kind: 'language-switch', turns: ['ابي اجدد اقامة زوجتي الله يعافيك', ...ahmed(), 'can you continue in English please'], goal: { match: [/How long should/], button: /months/ } },
  { id: 'en-to-ar-mid-step', lang: 'en', kind: 'language-switch', turns: ["I'd like to renew my wife's iqama", ...ahmed(), 'ممكن تكمل معي بالعربي'], goal: { match: [/ما مدة تجديد/], button: /أشهر/ } },
  { id: 'ar-name-in-english-no-switch', lang: 'ar', kind: 'language-switch', turns: ['ابغى اجدد اقامه زوجتي', ...ahmed(), 'سنة', 'اسمي بالانجليزي مكتوب غلط'], goal: { match: [ARABIC], forbid: [ENGLISH_WORDS] } },
  { id: 'en-to-ar-after-status', lang: 'en', kind: 'language-switch', turns: ["what's the status of 400000101", ...ahmed(), 'كلمني عربي لو سمحت'], goal: { match: [ARABIC], forbid: [ENGLISH_WORDS] } },
  { id: 'ar-to-en-at-section', lang: 'ar', kind: 'language-switch', turns: ['ابي افتح طلب تواصل', ...ahmed(), 'switch to english pls'], goal: { match: [/section/i], button: /General/i } },
  { id: 'en-arabic-name-no-switch', lang: 'en', kind: 'language-switch', turns: ["pls renew wife's iqama", ...ahmed(), '12 months', 'my name in arabic is spelled wrong'], goal: { forbid: [/[\u0621-\u064A]{3}/] } },

  // ── long messages ──────────────────────────────────────────────────────────────────
  { id: 'ar-long-renewal', lang: 'ar', kind: 'long-message', turns: [LONG_AR, ...ahmed()], goal: { match: [ASK_DURATION_MONA_AR] } },
  { id: 'en-long-renewal', lang: 'en', kind: 'long-message', turns: [LONG_EN, ...ahmed()], goal: { match: [ASK_DURATION_MONA_EN] } },
  { id: 'ar-long-status', lang: 'ar', kind: 'long-message', turns: [LONG_STATUS_AR, ...ahmed()], goal: { match: [STATUS_101] } },
  { id: 'ar-long-faq', lang: 'ar', kind: 'long-message', turns: [LONG_FAQ_AR], goal: { match: [/سداد جميع الرسوم والمخالفات/] } },

  // ── follow-ups that lean on the last answer ────────────────────────────────────────
  { id: 'ar-followup-omar-visa', lang: 'ar', kind: 'follow-up', turns: ['وش صار على التاشيرة 400000104', ...ahmed(), 'وتاشيرة عمر؟'], goal: { match: [/400000105/] } },
  { id: 'en-followup-omar-visa', lang: 'en', kind: 'follow-up', turns: ['status of my exit re-entry visa 400000104', ...ahmed(), "and my son Omar's?"], goal: { match: [/400000105/] } },
  { id: 'ar-followup-why-rejected', lang: 'ar', kind: 'follow-up', turns: ['وش صار على طلب التواصل 700000103', ...mohammed(), 'ليش انرفض؟'], goal: { match: [/ليس على كفالتك/] } },
  { id: 'en-followup-why-rejected', lang: 'en', kind: 'follow-up', turns: ['status 700000103', ...mohammed(), 'why was it rejected?'], goal: { match: [/not under your sponsorship/i] } },
  { id: 'ar-followup-omar-iqama', lang: 'ar', kind: 'follow-up', turns: ['متى بتخلص اقامة زوجتي', ...ahmed(), 'وعمر؟'], goal: { match: [/عمر أحمد حسن/] } },
  { id: 'en-followup-my-own', lang: 'en', kind: 'follow-up', turns: ["when is my wife's iqama expiring", ...ahmed(), 'and my own?'], goal: { match: [/Ahmed Hassan/] } },

  // ── another authority's business: say where to go, with the menu ───────────────────
  { id: 'ar-oos-saher-pay', lang: 'ar', kind: 'out-of-scope', turns: ['عندي مخالفة ساهر ابي اسددها'], goal: { match: [/المرور/], button: MENU_AR } },
  { id: 'ar-oos-saher-objection', lang: 'ar', kind: 'out-of-scope', turns: ['كيف اعترض على مخالفه ساهر'], goal: { match: [/المرور/], button: MENU_AR } },
  { id: 'en-oos-saher', lang: 'en', kind: 'out-of-scope', turns: ['how do I pay my saher traffic fine?'], goal: { match: [/traffic/i], button: MENU_EN } },
  { id: 'ar-oos-visit-visa', lang: 'ar', kind: 'out-of-scope', turns: ['ابي تاشيرة زيارة عائلية لاخوي'], goal: { match: [/وزارة الخارجية/], button: MENU_AR } },
  { id: 'en-oos-tourist-visa', lang: 'en', kind: 'out-of-scope', turns: ['I want a tourist visa for my friend'], goal: { match: [/Foreign Affairs/i], button: MENU_EN } },
  { id: 'ar-oos-frozen-card', lang: 'ar', kind: 'out-of-scope', turns: ['ساعدني في بطاقتي الموقوفة'], goal: { match: [/البنك|بنكك/], button: MENU_AR } },
  { id: 'en-oos-frozen-card', lang: 'en', kind: 'out-of-scope', turns: ['help me with my frozen bank card'], goal: { match: [/bank/i], button: MENU_EN } },
  { id: 'ar-oos-najm', lang: 'ar', kind: 'out-of-scope', turns: ['صار علي حادث بسيط ابي ارفع بلاغ نجم'], goal: { match: [/نجم/], button: MENU_AR } },
  { id: 'en-oos-najm', lang: 'en', kind: 'out-of-scope', turns: ['had a car accident, how do I get a Najm report'], goal: { match: [/Najm/], button: MENU_EN } },
  { id: 'ar-oos-cancel-card', lang: 'ar', kind: 'out-of-scope', turns: ['ابي الغي بطاقة الصراف حقتي'], goal: { match: [/البنك|بنكك/] }, never: [/هل أقدر أساعدك في شيء آخر\?$/] },
  { id: 'en-oos-cancel-credit-card', lang: 'en', kind: 'out-of-scope', turns: ['cancel my credit card'], goal: { match: [/bank/i] } },
  { id: 'ar-oos-traffic-balance', lang: 'ar', kind: 'out-of-scope', turns: ['كم علي مخالفات مرورية'], goal: { match: [/المرور/] } },
  { id: 'en-oos-driving-licence', lang: 'en', kind: 'out-of-scope', turns: ['how to renew my driving licence'], goal: { match: [/traffic/i] } },
  { id: 'ar-oos-driving-licence', lang: 'ar', kind: 'out-of-scope', turns: ['ابي اجدد رخصة القياده'], goal: { match: [/المرور/] } },
  { id: 'ar-oos-arabizi-saher', lang: 'ar', kind: 'out-of-scope', turns: ['3ndy mukhalafat saher'], goal: { match: [/traffic|المرور/i] } },

  // ── greetings are returned ─────────────────────────────────────────────────────────
  { id: 'ar-greeting-first', lang: 'ar', kind: 'greeting', turns: ['السلام عليكم ورحمه الله'], goal: { match: [/وعليكم السلام/], button: MENU_AR } },
  { id: 'ar-greeting-akhuy', lang: 'ar', kind: 'greeting', turns: ['السلام عليكم ياخوي'], goal: { match: [/وعليكم السلام/] } },
  { id: 'ar-greeting-with-request', lang: 'ar', kind: 'greeting', turns: [['السلام عليكم، ابي اعرف وش صار على طلبي 400000101', { match: [/وعليكم السلام/] }], ...ahmed()], goal: { match: [STATUS_101] } },
  { id: 'ar-greeting-twice', lang: 'ar', kind: 'greeting', turns: ['السلام عليكم ياخوي', 'سلام عليكم ورحمة الله وبركاته يا اخوي'], goal: { match: [/وعليكم السلام/] } },
  { id: 'ar-greeting-evening', lang: 'ar', kind: 'greeting', turns: ['مساء الخير ياخوي'], goal: { match: [/مساء النور/] } },
  { id: 'en-greeting-hi', lang: 'en', kind: 'greeting', turns: ['hiya'], goal: { match: [/Hello/] } },
  { id: 'en-greeting-with-request', lang: 'en', kind: 'greeting', turns: [['hello, status of 400000101 please', { match: [/Hello/] }], ...ahmed()], goal: { match: [STATUS_101] } },

  // ── Tawasul ────────────────────────────────────────────────────────────────────────
  { id: 'ar-tawasul-istifsar-am', lang: 'ar', kind: 'tawasul', turns: ['ابي افتح طلب تواصل', ...ahmed(), 'استفسار عام', 'الاقامة', 'ابغى اعرف هل اقدر اجدد اقامة امي وهي برا المملكة', 'تخطي', 'ارسل'], goal: { match: [TICKET] } },
  { id: 'ar-tawasul-bnti-layla', lang: 'ar', kind: 'tawasul', turns: ['ابي افتح طلب تواصل', ...ahmed(), 'تصحيح البيانات', 'تصحيح تاريخ الميلاد', 'بنتي ليلى', '2014/03/01', 'تاريخ ميلاد بنتي مكتوب غلط في النظام', 'تخطي', 'ارسل الطلب'], goal: { match: [TICKET] } },
  { id: 'en-tawasul-general', lang: 'en', kind: 'tawasul', turns: ['need to open a tawasul ticket', ...ahmed(), 'general inquiry', 'iqama', "Can I renew my mother's iqama while she is outside the kingdom?", 'skip', 'send it'], goal: { match: [TICKET] } },
  { id: 'en-tawasul-my-daughter', lang: 'en', kind: 'tawasul', turns: ['tawasul request please', ...ahmed(), 'data correction', 'date of birth', 'my daughter Layla', '2014-03-01', 'her birth date is wrong in the system', 'skip', 'submit'], goal: { match: [TICKET] } },
  { id: 'ar-tawasul-no-attachments', lang: 'ar', kind: 'tawasul', turns: ['ابي اقدم طلب في تواصل', ...ahmed(), 'الاستفسارات العامه', 'الجواز', 'متى يوصل الجواز بعد التجديد بالبريد', 'لا ما عندي مرفقات', 'ايه ارسله'], goal: { match: [TICKET] }, never: [CANCELLED] },
  { id: 'ar-tawasul-number-choice', lang: 'ar', kind: 'tawasul', turns: ['ابي طلب تواصل جديد لو سمحت', ...ahmed(), '٢', 'اخرى', 'عندي استفسار عن تمديد الاقامة لمن هو خارج المملكة', 'تخطي', 'ارسال'], goal: { match: [TICKET] } },

  // ── three misses end in a way out ──────────────────────────────────────────────────
  { id: 'ar-misses-duration', lang: 'ar', kind: 'misses', turns: ['ابي اجدد اقامة زوجتي لو سمحت', ...ahmed(), 'بطيخ', 'اممم', 'مدري'], goal: { button: AGENT_AR } },
  { id: 'en-misses-duration', lang: 'en', kind: 'misses', turns: ["help me renew my wife's iqama", ...ahmed(), 'banana', 'hmmm', 'idk'], goal: { button: AGENT_EN } },
  { id: 'ar-misses-id', lang: 'ar', kind: 'misses', turns: ['وش صار ع طلبي', 'مدري وش رقمي', 'ما اعرف', 'مو متأكد'], goal: { button: AGENT_AR } },
  { id: 'en-misses-id', lang: 'en', kind: 'misses', turns: ['can you track my request', 'dont know', 'no idea', 'not sure tbh'], goal: { button: AGENT_EN } },

  // ── Arabizi ────────────────────────────────────────────────────────────────────────
  { id: 'arabizi-qydt', lang: 'ar', kind: 'arabizi', turns: ['wesh ya3ni qydt'], goal: { match: [/إثباتها وتسجيلها|established and registered/i] } },
  { id: 'arabizi-renew-wife', lang: 'ar', kind: 'arabizi', turns: ['abi ajadid iqamat zawjti', ...ahmed()], goal: { match: [/ما مدة تجديد إقامة منى|How long should Mona/] } },
  { id: 'arabizi-status', lang: 'ar', kind: 'arabizi', turns: ['wsh sar 3la tlbi 400000101', ...ahmed()], goal: { match: [STATUS_101] } },
  { id: 'arabizi-tawasul', lang: 'ar', kind: 'arabizi', turns: ['ab8a aftah talab tawasul', ...ahmed()], goal: { match: [/القسم المختص|section/i] } },
  { id: 'arabizi-absher-register', lang: 'ar', kind: 'arabizi', turns: ['kaif asajjel hsab fi absher'], goal: { match: [/ثلاث خطوات|three steps/i] } },

  // ── dialect, typos, mixed script, both digit sets ──────────────────────────────────
  { id: 'ar-dialect-qydt', lang: 'ar', kind: 'dialect', turns: ['وش يعني كلمة قيدت'], goal: { match: [/إثباتها وتسجيلها/] } },
  { id: 'ar-dialect-absher-register', lang: 'ar', kind: 'dialect', turns: ['كيف اسوي لي حساب بأبشر'], goal: { match: [/ثلاث خطوات/] } },
  { id: 'en-typo-conditions', lang: 'en', kind: 'dialect', turns: ['what r the conditions to renew iqama'], goal: { match: [/passport/i, /insurance/i] } },
  { id: 'ar-dialect-lost-passport', lang: 'ar', kind: 'dialect', turns: ['ضاع مني الجواز وش اسوي'], goal: { match: [/الفقدان/] } },
  { id: 'ar-status-arabic-digits', lang: 'ar', kind: 'dialect', turns: ['ابي اتابع طلبي رقم ٤٠٠٠٠٠١٠١', ...ahmed('arabic')], goal: { match: [STATUS_101] } },
  { id: 'en-status-application', lang: 'en', kind: 'dialect', turns: ['whats happening with my application 400000101', ...ahmed()], goal: { match: [STATUS_101] } },
  { id: 'mixed-status', lang: 'ar', kind: 'dialect', turns: ['status طلبي 400000101', ...ahmed()], goal: { match: [STATUS_101] } },
  { id: 'ar-status-number-later', lang: 'ar', kind: 'dialect', turns: ['وش صار على معاملتي', ...ahmed(), 'رقمها 400000101'], goal: { match: [STATUS_101] } },
  { id: 'mixed-renew', lang: 'ar', kind: 'dialect', turns: ['ابي renew اقامة زوجتي', ...ahmed(), 'سنة', 'ok go ahead', 'paid'], goal: { match: [/(برقم|as request) 4000001\d\d/] } },
];
