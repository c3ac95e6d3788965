/**
 * A held-out set: conversations written after the interpreter and its fixes were built, by
 * someone who had not seen the main suite's failures, and measured once before any fix aimed at
 * them (the README gives that first figure). Same format and rules as conversations.ts: as people
 * write, leaving the happy path; a goal checked on the last reply. Never copy these lines into
 * the locales training files (nlu.json) or tune thresholds on them one by one: they exist to tell how the product does
 * on phrasings nobody tuned for.
 */
import { AHMED, MOHAMMED, OTP, type Conversation } from './conversations';

const ID_SPACED_AR = '٢٣٤٥ ٦٧٨ ٩٠٤';
const RENEWED_AR = /برقم 4000001\d\d/;
const STATUS_101 = /400000101[\s\S]*(قيدت|Recorded)/;
const TICKET = /7000001(0[5-9]|[1-9]\d)/;

export const HELD_OUT: Conversation[] = [
  { id: 'h-ar-renew-full', lang: 'ar', kind: 'sentence-answer', turns: ['ياخي ابي اجدد اقامة زوجتي ضروري', `رقمي ${ID_SPACED_AR}`, `رمزي ${OTP}`, 'خلها سنة لو تكرمت', 'ايوه تمام', 'سددت الحمدلله'], goal: { match: [RENEWED_AR] } },
  { id: 'h-ar-omar-passport', lang: 'ar', kind: 'sentence-answer', turns: ['تجديد اقامه ولدي عمر', AHMED, OTP], goal: { match: [/عمر/, /جواز/] } },
  { id: 'h-ar-youssef-fines', lang: 'ar', kind: 'dialect', turns: ['ابي اجدد اقامة يوسف الله يسعدك', AHMED, OTP], goal: { match: [/يوسف/, /مخالف/] } },
  { id: 'h-en-omar-passport', lang: 'en', kind: 'sentence-answer', turns: ["my son Omar's iqama needs renewing", AHMED, OTP], goal: { match: [/Omar/, /passport/i] } },
  { id: 'h-ar-track-later-number', lang: 'ar', kind: 'dialect', turns: ['ابي اتابع معاملتي', AHMED, OTP, '٤٠٠٠٠٠١٠١'], goal: { match: [STATUS_101] } },
  { id: 'h-ar-number-first', lang: 'ar', kind: 'sentence-answer', turns: ['رقم الطلب 400000101 وش صار عليه؟', AHMED, OTP], goal: { match: [STATUS_101] } },
  { id: 'h-en-status', lang: 'en', kind: 'sentence-answer', turns: ['whats the status of 400000101', AHMED, OTP], goal: { match: [STATUS_101] } },
  { id: 'h-ar-question-mid', lang: 'ar', kind: 'mid-flow-question', turns: ['ابغى اجدد إقامه حرمتي', AHMED, OTP, 'طيب قبل، وش الشروط؟'], goal: { match: [/تأمين/, /ما مدة تجديد إقامة منى/] } },
  { id: 'h-en-question-mid', lang: 'en', kind: 'mid-flow-question', turns: ["need my wife's iqama renewed", AHMED, OTP, 'wait, do I need to book an appointment at jawazat for this?'], goal: { match: [/appointment/i, /How long should Mona/] } },
  { id: 'h-ar-wrong-id', lang: 'ar', kind: 'wrong-id', turns: ['بدي اجدد اقامة المدام', '2345678905', 'عفوا الصحيح 2345678904', OTP], goal: { match: [/ما مدة تجديد إقامة منى/] } },
  { id: 'h-en-wrong-id', lang: 'en', kind: 'wrong-id', turns: ['renew wife iqama', '12345', 'sorry its 2345678904', OTP], goal: { match: [/How long should Mona/] } },
  { id: 'h-ar-to-english', lang: 'ar', kind: 'language-switch', turns: ['اقامة زوجتي ابي اجددها', AHMED, OTP, 'can we switch to english pls'], goal: { match: [/How long should Mona/] } },
  { id: 'h-en-to-arabic', lang: 'en', kind: 'language-switch', turns: ["can you renew the iqama of my wife", AHMED, OTP, 'ممكن تكلمني عربي'], goal: { match: [/ما مدة تجديد إقامة منى/] } },
  { id: 'h-ar-saher', lang: 'ar', kind: 'out-of-scope', turns: ['كيف اسدد مخالفة ساهر'], goal: { match: [/المرور/] } },
  { id: 'h-en-tourist-visa', lang: 'en', kind: 'out-of-scope', turns: ['how do i get a tourist visa for my brother to visit us'], goal: { match: [/Foreign Affairs|visa platform/i] } },
  { id: 'h-ar-atm-card', lang: 'ar', kind: 'out-of-scope', turns: ['بطاقة الصراف حقتي انسحبت في المكينة وش اسوي'], goal: { match: [/بنك/] } },
  { id: 'h-ar-tawasul', lang: 'ar', kind: 'tawasul', turns: ['ودي ارفع طلب على تواصل', AHMED, OTP, 'استفسارات عامة', 'الاقامه', 'هل يقدر ولدي يسافر وهو اقامته بتخلص بعد شهر؟', 'لا', 'ارسل'], goal: { match: [TICKET] } },
  { id: 'h-ar-why-rejected', lang: 'ar', kind: 'follow-up', turns: ['وش صار على تذكرتي 700000103', MOHAMMED, OTP, 'ليش انرفضت؟'], goal: { match: [/كفال/] } },
  { id: 'h-en-switch-to-status', lang: 'en', kind: 'task-switch', turns: ["wife's iqama renewal pls", AHMED, OTP, 'actually forget that, I want to track request 400000101 instead'], goal: { match: [STATUS_101] } },
  { id: 'h-ar-misses', lang: 'ar', kind: 'misses', turns: ['عاوز اجدد اقامه زوجتي لو سمحت', AHMED, OTP, 'ااااا', 'ههههه', 'مدري'], goal: { match: [/موظف/] } },
  { id: 'h-arabizi-renew', lang: 'ar', kind: 'arabizi', turns: ['abgha ajadid e8amat zojti', AHMED, OTP], goal: { match: [/Mona|منى/] } },
  { id: 'h-en-good-morning', lang: 'en', kind: 'greeting', turns: ['good morning, hope you are well'], goal: { match: [/Good morning/] } },
  { id: 'h-ar-cancel', lang: 'ar', kind: 'dialect', turns: ['ابي اجدد اقامة زوجتي الله يعطيك العافيه', AHMED, OTP, 'خلاص الغ الطلب ما ابيه'], goal: { match: [/أُلغي|تم الإلغاء|ألغيت|أوقفت/] } },
  { id: 'h-en-correction', lang: 'en', kind: 'correction', turns: ["i'd like my wifes residency renewed", AHMED, OTP, '6 months', 'no wait, make it 12 months'], goal: { match: [/Renewal for: 12 months/] } },
  { id: 'h-ar-pay-later', lang: 'ar', kind: 'payment', turns: ['ابي اجدد اقامة الزوجه بسرعه', AHMED, OTP, 'سنة', 'تمام كذا', 'بسدد بعدين ان شاء الله'], goal: { match: [/930000001\d\d/, /ارجع|العودة/] } },
  { id: 'h-en-agent', lang: 'en', kind: 'dialect', turns: ['I want to talk to a real person please'], goal: { match: [/agent/i] } },
  { id: 'h-ar-dependent-status', lang: 'ar', kind: 'follow-up', turns: ['متى تنتهي اقامة ولدي عمر', AHMED, OTP], goal: { match: [/عمر/, /\d{4}/] } },
  { id: 'h-en-long-status', lang: 'en', kind: 'long-message', turns: ["Good evening. A couple of months ago I renewed my passport at the embassy and then updated the passport details on Absher, and I was given a request number to follow up on. I've checked a few times since and honestly I don't understand what the status means, and I'm travelling next month so I want to be sure nothing is missing on my side. Can you tell me what happened with request 400000101", AHMED, OTP], goal: { match: [STATUS_101] } },
  { id: 'h-ar-delete-data', lang: 'ar', kind: 'dialect', turns: ['سلام عليكم ورحمة الله', 'امسح بياناتي لو سمحت', 'ايه اكيد'], goal: { match: [/حذف بياناتك/] } },
  { id: 'h-mixed-renew', lang: 'ar', kind: 'dialect', turns: ['ابي renew للاقامة حقت زوجتي', AHMED, OTP], goal: { match: [/منى|Mona/] } },
];
