/**
 * Scores a recognizer on labelled utterances: overall accuracy (a line with a FAQ id is
 * right only when the intent and the id both match), FAQ top-1, how many out-of-scope lines
 * were routed to an in-scope intent, and per-intent precision and recall.
 */
import type { FaqId, Intent, Recognizer, Understanding } from './types';

export interface LabelledUtterance {
  text: string;
  intent: Intent;
  faq?: FaqId;
}

export interface IntentFigures {
  support: number;
  correct: number;
  predicted: number;
  precision: number;
  recall: number;
}

export interface Evaluation {
  total: number;
  accuracy: number;
  /** Of the lines labelled faq: the share whose FAQ id was predicted exactly. */
  faqTop1: number;
  /** Of the lines labelled none: the share routed to an in-scope intent. */
  outOfScopeLeak: number;
  /** Lines answered with "did you mean A or B?" where A or B was right (counted wrong in accuracy). */
  clarified: number;
  perIntent: Record<string, IntentFigures>;
  errors: Array<{ text: string; expected: string; got: string; score: number }>;
  predictions: Array<{ text: string; prediction: Understanding }>;
}

const show = (intent: string, faq?: string) => (faq ? `${intent}:${faq}` : intent);

/** Parses JSONL lines {text, intent, faq?}; other fields are ignored. Throws on a bad line. */
export function parseLabelled(jsonl: string): LabelledUtterance[] {
  return jsonl
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line, i) => {
      const value = JSON.parse(line) as Partial<LabelledUtterance>;
      if (typeof value.text !== 'string' || typeof value.intent !== 'string') throw new Error(`line ${i + 1}: needs "text" and "intent"`);
      return { text: value.text, intent: value.intent, ...(value.faq ? { faq: value.faq } : {}) };
    });
}

export function evaluate(recognizer: Recognizer, lines: readonly LabelledUtterance[]): Evaluation {
  const per: Record<string, IntentFigures> = {};
  const fig = (k: string) => (per[k] ??= { support: 0, correct: 0, predicted: 0, precision: 0, recall: 0 });
  let correct = 0;
  let faqLines = 0;
  let faqRight = 0;
  let oos = 0;
  let leaked = 0;
  let clarified = 0;
  const errors: Evaluation['errors'] = [];
  const predictions: Evaluation['predictions'] = [];

  for (const line of lines) {
    const u = recognizer.recognize(line.text);
    predictions.push({ text: line.text, prediction: u });
    fig(line.intent).support++;
    fig(u.intent).predicted++;
    const right = u.intent === line.intent && (line.intent !== 'faq' || !line.faq || u.faq === line.faq) && !u.alternative;
    if (right) {
      correct++;
      fig(line.intent).correct++;
    } else {
      errors.push({ text: line.text, expected: show(line.intent, line.faq), got: show(u.intent, u.faq) + (u.alternative ? `|${show(u.alternative.intent, u.alternative.faq)}` : ''), score: Number(u.score.toFixed(3)) });
      const alt = u.alternative;
      if (alt && (u.intent === line.intent || alt.intent === line.intent)) clarified++;
    }
    if (line.intent === 'faq') {
      faqLines++;
      if (u.intent === 'faq' && u.faq === line.faq) faqRight++;
    }
    if (line.intent === 'none') {
      oos++;
      if (u.intent !== 'none') leaked++;
    }
  }
  for (const f of Object.values(per)) {
    f.precision = f.predicted ? f.correct / f.predicted : 0;
    f.recall = f.support ? f.correct / f.support : 0;
  }
  return {
    total: lines.length,
    accuracy: lines.length ? correct / lines.length : 0,
    faqTop1: faqLines ? faqRight / faqLines : 0,
    outOfScopeLeak: oos ? leaked / oos : 0,
    clarified,
    perIntent: per,
    errors,
    predictions,
  };
}
