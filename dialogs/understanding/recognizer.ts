/**
 * The bot's language understanding: short commands by exact rule, everything else by a
 * classifier trained from the examples in locales/{ar,en}/nlu.json (plus every
 * FAQ question title, so a tapped "related question" button routes back to its answer).
 * The model is logistic regression over character n-gram TF-IDF (softmax.ts); the
 * nearest-neighbour baseline (classifier.ts) stays selectable for comparison. A confident
 * intent routes; two close intents give "did you mean A or B?"; a weak or out-of-scope
 * match is `none`. The build trains the model once and saves it (modelFile.ts); a start from
 * the build loads it when it was trained on these very examples, and trains otherwise. No botbuilder types: this module must move unchanged to another runtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import { NearestNeighbourClassifier, type Example, type LabelScore } from './classifier';
import { SoftmaxClassifier } from './softmax';
import { readModelFile, trainingFingerprint } from './modelFile';
import { classifierText } from './features';
import { extractEntities } from './entities';
import { detectLanguage, normalizeForMatching, type Lang } from './normalize';
import { otherAuthorityOf } from './elsewhere';
import { requestCandidates } from './longMessage';
import { isLanguageRequest, LANGUAGE_SWITCH_SCORE } from './languageRequest';
import { FAQ_IDS, INTENTS, type FaqId, type Intent, type Recognizer, type Understanding } from './types';
import { APP_ROOT, FROM_SOURCE } from '../../bot/appRoot';

const DEFAULT_LOCALES_DIR = path.join(APP_ROOT, 'locales');
/** Where `npm run build` saves the model: dist/model/ beside dist/locales/ (none in the source tree). */
export const DEFAULT_MODEL_FILE = path.join(APP_ROOT, 'model', 'understanding.bin');
/** Running the build's JavaScript, where a saved model is expected. */
const BUILT = !FROM_SOURCE;
const LANGS: readonly Lang[] = ['ar', 'en'];
const FAQ_PREFIX = 'faq:';

/** Commands people type as a word or two; an exact hit on one of their examples is a rule. */
const RULE_INTENTS: ReadonlySet<Intent> = new Set(['greeting', 'help', 'cancel', 'menu', 'language.ar', 'language.en', 'agent']);
const RULE_MAX_WORDS = 3;

export type ModelKind = 'softmax' | 'knn';

/** A clause of a long message must be at least this sure of its label to stand for the message. */
const LONG_PART_SCORE = 0.5;

/** A language switch the classifier found stands only on a clear request; otherwise the next label does. */
function withoutUnaskedLanguageSwitch(text: string, ranked: LabelScore[]): LabelScore[] {
  const top = ranked[0];
  if (!top || (top.label !== 'language.ar' && top.label !== 'language.en')) return ranked;
  if (top.score >= LANGUAGE_SWITCH_SCORE && isLanguageRequest(text)) return ranked;
  return ranked.filter((r) => r.label !== 'language.ar' && r.label !== 'language.en');
}

export interface Thresholds {
  /** Below this score (probability, or similarity for knn) nothing is understood (`none`). */
  accept: number;
  /** Two labels closer than this are ambiguous ("did you mean A or B?"). */
  margin: number;
}

/** Chosen on the evaluation set (README, "Understanding"). */
export const DEFAULT_THRESHOLDS: Record<ModelKind, Thresholds> = {
  softmax: { accept: 0.2, margin: 0.05 },
  knn: { accept: 0.3, margin: 0.03 },
};

export interface TrainingData {
  intents: Partial<Record<Intent, string[]>>;
  faq: Partial<Record<FaqId, string[]>>;
}

/** One language's examples plus its FAQ question titles. */
export function loadTrainingData(dir: string = DEFAULT_LOCALES_DIR): TrainingData[] {
  return LANGS.map((lang) => {
    const nlu = JSON.parse(fs.readFileSync(path.join(dir, lang, 'nlu.json'), 'utf8')) as TrainingData;
    const faqFile = path.join(dir, lang, 'faq.json');
    if (fs.existsSync(faqFile)) {
      const kb = JSON.parse(fs.readFileSync(faqFile, 'utf8')) as Record<string, { question?: string }>;
      for (const id of FAQ_IDS) {
        const q = kb[id]?.question;
        if (q) (nlu.faq[id] ??= []).push(q);
      }
    }
    return nlu;
  });
}

export function examplesOf(data: readonly TrainingData[]): Example[] {
  const out: Example[] = [];
  for (const set of data) {
    for (const [intent, texts] of Object.entries(set.intents)) {
      if (intent === 'faq') continue;
      for (const text of texts ?? []) out.push({ text, label: intent });
    }
    for (const [id, texts] of Object.entries(set.faq)) for (const text of texts ?? []) out.push({ text, label: FAQ_PREFIX + id });
  }
  return out;
}

interface Decoded {
  intent: Intent;
  faq?: FaqId;
}

function decode(label: string): Decoded {
  if (label.startsWith(FAQ_PREFIX)) return { intent: 'faq', faq: label.slice(FAQ_PREFIX.length) as FaqId };
  return { intent: (INTENTS as readonly string[]).includes(label) ? (label as Intent) : 'none' };
}

export interface MusaedRecognizer extends Recognizer {
  /** Raw label scores (for the CLI and the evaluation). */
  scores(text: string): LabelScore[];
  readonly exampleCount: number;
}

export interface RecognizerOptions {
  model?: ModelKind;
  data?: TrainingData[];
  localesDir?: string;
  thresholds?: Partial<Thresholds>;
  /** Anchors relative dates in entities (tests). */
  now?: () => Date;
  /** A saved softmax model to load (default: the build's DEFAULT_MODEL_FILE); false → always train. */
  modelFile?: string | false;
  /** Told where the model came from, and why a saved one was not used. */
  log?: ModelLog;
}

export type ModelLog = (level: 'info' | 'warn', message: string, details?: Record<string, unknown>) => void;

interface Model {
  classify(text: string): LabelScore[];
}

// Training takes about a second; every recognizer built from the shipped examples shares one model.
const shared = new Map<string, { examples: Example[]; model: Model }>();

function modelFor(options: RecognizerOptions, kind: ModelKind): { examples: Example[]; model: Model } {
  const train = (examples: Example[]): Model => (kind === 'softmax' ? new SoftmaxClassifier(examples) : new NearestNeighbourClassifier(examples));
  if (options.data) {
    const examples = examplesOf(options.data);
    return { examples, model: train(examples) };
  }
  const modelFile = kind === 'softmax' && options.modelFile !== false ? (options.modelFile ?? DEFAULT_MODEL_FILE) : undefined;
  const key = `${kind}:${options.localesDir ?? DEFAULT_LOCALES_DIR}:${modelFile ?? ''}`;
  let entry = shared.get(key);
  if (!entry) {
    const examples = examplesOf(loadTrainingData(options.localesDir));
    shared.set(key, (entry = { examples, model: (modelFile && savedModel(modelFile, examples, options.log)) || train(examples) }));
    // recognizers-text compiles its English date grammar on first use (≈ 1 s): pay it at
    // start-up, not in the first user's turn that mentions "next Tuesday".
    extractEntities('next tuesday');
  }
  return entry;
}

/** The saved model if it was trained on exactly these examples by this code; undefined → train. */
function savedModel(file: string, examples: Example[], log: ModelLog | undefined): Model | undefined {
  const loaded = readModelFile(file, trainingFingerprint(examples));
  if (loaded.ok) {
    log?.('info', 'understanding model loaded from the build', { file });
    return loaded.model;
  }
  // From source (npm start) there is no saved model and training at start is the norm.
  if (loaded.reason !== 'missing' || BUILT) {
    log?.('warn', `understanding model file not used (${loaded.reason}): training at start-up instead; run npm run build`, { file, ...(loaded.detail ? { detail: loaded.detail } : {}) });
  }
  return undefined;
}

export function createRecognizer(options: RecognizerOptions = {}): MusaedRecognizer {
  const kind = options.model ?? 'softmax';
  const { examples, model: classifier } = modelFor(options, kind);
  const thresholds = { ...DEFAULT_THRESHOLDS[kind], ...options.thresholds };
  const now = options.now ?? (() => new Date());

  const rules = new Map<string, Intent>();
  for (const e of examples) {
    const intent = e.label as Intent;
    if (!RULE_INTENTS.has(intent)) continue;
    const key = classifierText(e.text);
    if (key && key.split(' ').length <= RULE_MAX_WORDS && !rules.has(key)) rules.set(key, intent);
  }

  function recognize(text: string, hint?: Lang): Understanding {
    const normalized = normalizeForMatching(text);
    const language = detectLanguage(text) ?? hint;
    const entities = extractEntities(text, now());
    const key = classifierText(text);
    const base = { language, normalized, entities };

    const rule = rules.get(key);
    if (rule) return { ...base, intent: rule, score: 1 };

    // A bare number: people paste the request number they want to know about.
    if (!/\p{L}/u.test(key)) {
      return entities.requestNumber ? { ...base, intent: 'status.check', score: 0.9 } : { ...base, intent: 'none', score: 0 };
    }

    // Another authority's business (Saher, visit visas, bank cards, Najm) with nothing of Jawazat's in it.
    const elsewhere = entities.requestNumber || entities.idNumber ? undefined : otherAuthorityOf(text);
    if (elsewhere) return { ...base, intent: 'none', score: 0, elsewhere };

    const ranked = withoutUnaskedLanguageSwitch(text, classifyLong(text));
    const top = ranked[0];
    // Asking about one particular number is the lookup itself, not "how do I track a request".
    if (entities.requestNumber && (!top || top.score < thresholds.accept || top.label === 'none' || top.label === `${FAQ_PREFIX}track_request`)) {
      return { ...base, intent: 'status.check', score: Math.max(top?.score ?? 0, thresholds.accept) };
    }
    if (!top || top.score < thresholds.accept) return { ...base, intent: 'none', score: top?.score ?? 0 };
    const best = decode(top.label);
    const understanding: Understanding = { ...base, intent: best.intent, score: top.score, ...(best.faq ? { faq: best.faq } : {}) };
    if (best.intent === 'none') return understanding;

    const second = ranked.find((r) => r.label !== top.label);
    if (second && second.label !== 'none' && second.score >= thresholds.accept && top.score - second.score < thresholds.margin) {
      const alt = decode(second.label);
      understanding.alternative = { intent: alt.intent, score: second.score, ...(alt.faq ? { faq: alt.faq } : {}) };
    }
    return understanding;
  }

  /** A long message is read from its end: the first clause or sentence that asks for something in scope wins. */
  function classifyLong(text: string): LabelScore[] {
    for (const part of requestCandidates(text)) {
      const ranked = classifier.classify(part);
      const top = ranked[0];
      if (top && top.label !== 'none' && top.score >= LONG_PART_SCORE && !RULE_INTENTS.has(decode(top.label).intent)) return ranked;
    }
    return classifier.classify(text);
  }

  return { recognize, scores: (text) => classifier.classify(text), exampleCount: examples.length };
}
