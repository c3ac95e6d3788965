/**
 * The evaluation set (test/eval/intents.jsonl) was written independently of the training
 * examples. These are the goals; a regression in the classifier, the features or
 * the examples fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRecognizer, examplesOf, loadTrainingData, type MusaedRecognizer } from '../../dialogs/understanding/recognizer';
import { evaluate, parseLabelled, type Evaluation, type LabelledUtterance } from '../../dialogs/understanding/evaluate';
import { classifierText } from '../../dialogs/understanding/features';
import { FAQ_IDS, INTENTS } from '../../dialogs/understanding/types';

const EVAL_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'eval', 'intents.jsonl');

describe('understanding on the evaluation set', () => {
  let lines: LabelledUtterance[];
  let recognizer: MusaedRecognizer;
  let result: Evaluation;

  let all: LabelledUtterance[];

  beforeAll(() => {
    all = parseLabelled(fs.readFileSync(EVAL_FILE, 'utf8'));
    // Short commands ("السلام عليكم", "cancel") are bound to be written the same way twice;
    // only utterances absent from the training examples count.
    const training = new Set(examplesOf(loadTrainingData()).map((e) => classifierText(e.text)));
    lines = all.filter((l) => !training.has(classifierText(l.text)));
    recognizer = createRecognizer();
    result = evaluate(recognizer, lines);
  });

  it('is big and varied enough to mean something, without the lines that are also training examples', () => {
    expect(lines.length).toBeGreaterThanOrEqual(400);
    expect(lines.filter((l) => l.intent === 'none').length).toBeGreaterThanOrEqual(80);
    for (const l of lines) expect(INTENTS, l.text).toContain(l.intent);
    for (const l of lines.filter((x) => x.intent === 'faq')) expect(FAQ_IDS, l.text).toContain(l.faq);
  });

  it('still scores the overlapping lines right (they are mostly short commands)', () => {
    const overlap = all.filter((l) => !lines.includes(l));
    expect(evaluate(recognizer, overlap).accuracy).toBeGreaterThanOrEqual(0.98);
  });

  it('reaches the goals: accuracy ≥ 0.95, FAQ top-1 ≥ 0.90, out-of-scope leak ≤ 0.03', () => {
    const summary = { accuracy: result.accuracy, faqTop1: result.faqTop1, leak: result.outOfScopeLeak, errors: result.errors.slice(0, 40) };
    expect(result.accuracy, JSON.stringify(summary, null, 1)).toBeGreaterThanOrEqual(0.95);
    expect(result.faqTop1).toBeGreaterThanOrEqual(0.9);
    expect(result.outOfScopeLeak).toBeLessThanOrEqual(0.03);
  });

  it('has at least 30 examples per intent per language and covers every FAQ id', () => {
    for (const set of loadTrainingData()) {
      for (const intent of INTENTS.filter((i) => i !== 'faq')) expect(set.intents[intent]?.length ?? 0, intent).toBeGreaterThanOrEqual(30);
      const faqCount = FAQ_IDS.reduce((n, id) => n + (set.faq[id]?.length ?? 0), 0);
      expect(faqCount).toBeGreaterThanOrEqual(30);
      for (const id of FAQ_IDS) expect(set.faq[id]?.length ?? 0, id).toBeGreaterThanOrEqual(5);
    }
  });
});
