/**
 * Understanding speed: recognize() per utterance over the evaluation set
 * (test/eval/intents.jsonl), after one warm pass. Each utterance is timed `passes` times and
 * keeps its median, so a pause of the process (GC, another process on the core) does not
 * pass for the cost of an utterance; p50/p99 are then taken across utterances, and the
 * slowest one is named. The recognizer is loaded dynamically so the bench still runs (and
 * says "n/a") on a tree where it has not landed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './processes';
import { summarize } from './stats';

export type ClassifierTiming =
  | { available: true; utterances: number; passes: number; p50Ms: number; p99Ms: number; trainMs: number; slowest: { text: string; ms: number } }
  | { available: false; reason: string };

interface RecognizerLike {
  recognize(text: string): unknown;
}

export async function timeClassifier(passes = 5): Promise<ClassifierTiming> {
  const evalFile = path.join(ROOT, 'test', 'eval', 'intents.jsonl');
  let create: (() => RecognizerLike) | undefined;
  try {
    const mod = (await import('../../dialogs/understanding/recognizer')) as Record<string, unknown>;
    if (typeof mod.createRecognizer === 'function') create = mod.createRecognizer as () => RecognizerLike;
  } catch {
    create = undefined;
  }
  if (!create) return { available: false, reason: 'classifier not landed' };
  if (!fs.existsSync(evalFile)) return { available: false, reason: 'no test/eval/intents.jsonl' };
  const texts = fs
    .readFileSync(evalFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text);

  const t0 = process.hrtime.bigint();
  const recognizer = create();
  const trainMs = Number(process.hrtime.bigint() - t0) / 1e6;
  for (const text of texts) recognizer.recognize(text);
  const runs: number[][] = texts.map(() => []);
  for (let p = 0; p < passes; p++) {
    texts.forEach((text, i) => {
      const s = process.hrtime.bigint();
      recognizer.recognize(text);
      runs[i].push(Number(process.hrtime.bigint() - s) / 1e6);
    });
  }
  const medians = runs.map((r) => summarize(r).p50);
  const sum = summarize(medians);
  const worst = medians.indexOf(Math.max(...medians));
  return { available: true, utterances: texts.length, passes, p50Ms: sum.p50, p99Ms: sum.p99, trainMs, slowest: { text: texts[worst], ms: medians[worst] } };
}
