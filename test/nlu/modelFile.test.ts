/**
 * Issue #21, item 7: the model `npm run build` saves and a production start loads must
 * predict exactly what a freshly trained one does, and a file trained on other examples
 * (or damaged) must never be used: the recognizer retrains and warns.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecognizer, examplesOf, loadTrainingData, type ModelLog } from '../../dialogs/understanding/recognizer';
import { readModelFile, trainingFingerprint, writeModelFile } from '../../dialogs/understanding/modelFile';
import { SoftmaxClassifier } from '../../dialogs/understanding/softmax';
import { parseLabelled } from '../../dialogs/understanding/evaluate';
import type { Example } from '../../dialogs/understanding/classifier';

const EVAL_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'eval', 'intents.jsonl');

describe('the saved understanding model', () => {
  let dir: string;
  let file: string;
  let examples: Example[];
  let fresh: SoftmaxClassifier;
  let texts: string[];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'musaed-model-'));
    file = path.join(dir, 'understanding.bin');
    examples = examplesOf(loadTrainingData());
    fresh = new SoftmaxClassifier(examples);
    writeModelFile(file, fresh, trainingFingerprint(examples));
    texts = parseLabelled(fs.readFileSync(EVAL_FILE, 'utf8')).map((l) => l.text);
  }, 120_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads to a model whose scores equal the fresh one on every evaluation line', () => {
    const loaded = readModelFile(file, trainingFingerprint(examples));
    if (!loaded.ok) throw new Error(`not loaded: ${loaded.reason} ${loaded.detail ?? ''}`);
    expect(texts.length).toBeGreaterThan(400);
    for (const text of texts) expect(loaded.model.classify(text), text).toEqual(fresh.classify(text));
  });

  it('gives a recognizer whose understanding equals a freshly trained recognizer on every evaluation line', () => {
    const log: Array<[string, string]> = [];
    const fromFile = createRecognizer({ modelFile: file, log: (level, msg) => void log.push([level, msg]) });
    const trained = createRecognizer({ modelFile: false });
    expect(log).toEqual([['info', 'understanding model loaded from the build']]);
    for (const text of texts) expect(fromFile.recognize(text), text).toEqual(trained.recognize(text));
  });

  it('refuses a model trained on other examples: the fingerprint follows every example', () => {
    const changed = examples.map((e, i) => (i === examples.length - 1 ? { ...e, text: `${e.text}!` } : e));
    expect(trainingFingerprint(changed)).not.toBe(trainingFingerprint(examples));
    const relabelled = examples.map((e, i) => (i === 0 ? { ...e, label: 'none' } : e));
    expect(trainingFingerprint(relabelled)).not.toBe(trainingFingerprint(examples));
    expect(readModelFile(file, trainingFingerprint(changed))).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a damaged or missing file', () => {
    const damaged = path.join(dir, 'damaged.bin');
    const raw = fs.readFileSync(file);
    raw[raw.length - 3] = (raw[raw.length - 3] ?? 0) ^ 0xff;
    fs.writeFileSync(damaged, raw);
    expect(readModelFile(damaged, trainingFingerprint(examples))).toMatchObject({ ok: false, reason: 'unreadable' });
    fs.writeFileSync(damaged, raw.subarray(0, raw.length - 8));
    expect(readModelFile(damaged, trainingFingerprint(examples))).toMatchObject({ ok: false, reason: 'unreadable' });
    expect(readModelFile(path.join(dir, 'none.bin'), trainingFingerprint(examples))).toEqual({ ok: false, reason: 'missing' });
  });

  it('a recognizer given a stale model warns and retrains, and understands as a fresh one does', () => {
    const stale = path.join(dir, 'stale.bin');
    // Trained on a subset: a model for other examples, as after an edit of nlu.json without a rebuild.
    const subset = examples.filter((_, i) => i % 2 === 0);
    writeModelFile(stale, new SoftmaxClassifier(subset), trainingFingerprint(subset));
    const log: Array<[string, string]> = [];
    const record: ModelLog = (level, msg) => void log.push([level, msg]);
    const recognizer = createRecognizer({ modelFile: stale, log: record });
    expect(log).toHaveLength(1);
    expect(log[0]?.[0]).toBe('warn');
    expect(log[0]?.[1]).toMatch(/understanding model file not used \(stale\): training at start-up instead; run npm run build/);
    const trained = createRecognizer({ modelFile: false });
    for (const text of texts.slice(0, 100)) expect(recognizer.recognize(text), text).toEqual(trained.recognize(text));
  }, 120_000);
});
