/**
 * The understanding contract from the command line (design.md):
 *   npm run nlu -- "text"                         one JSON line
 *   npm run nlu -- --eval FILE.jsonl [--out FILE] [--unseen]
 *                                                 per-intent figures, then "accuracy: 0.NNN";
 *                                                 --unseen skips lines that are training examples;
 *                                                 --model knn scores the nearest-neighbour baseline
 */
import fs from 'node:fs';
import { createRecognizer, examplesOf, loadTrainingData } from './recognizer';
import { classifierText } from './features';
import { evaluate, parseLabelled } from './evaluate';

function usage(): never {
  process.stderr.write('usage: npm run nlu -- "text"\n       npm run nlu -- --eval FILE.jsonl [--out FILE] [--unseen] [--model softmax|knn]\n');
  process.exit(2);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function main(argv: string[]): void {
  const modelAt = argv.indexOf('--model');
  const model = modelAt === -1 ? 'softmax' : argv[modelAt + 1];
  if (model !== 'softmax' && model !== 'knn') usage();
  const started = performance.now();
  const recognizer = createRecognizer({ model });
  const trainMs = performance.now() - started;
  const evalAt = argv.indexOf('--eval');
  if (evalAt === -1) {
    const text = argv.filter((a) => !a.startsWith('--')).join(' ');
    if (!text) usage();
    const u = recognizer.recognize(text);
    const line: Record<string, unknown> = { language: u.language ?? null, normalized: u.normalized, intent: u.intent, score: Number(u.score.toFixed(4)) };
    if (u.faq) line.faq = u.faq;
    line.entities = u.entities;
    if (u.alternative) line.alternative = u.alternative;
    process.stdout.write(JSON.stringify(line) + '\n');
    return;
  }
  const file = argv[evalAt + 1];
  if (!file) usage();
  let lines = parseLabelled(fs.readFileSync(file, 'utf8'));
  if (argv.includes('--unseen')) {
    // Only utterances that are not training examples (the test suite's figures).
    const training = new Set(examplesOf(loadTrainingData()).map((e) => classifierText(e.text)));
    lines = lines.filter((l) => !training.has(classifierText(l.text)));
  }
  const result = evaluate(recognizer, lines);
  // Per-utterance time after a warm-up pass (the evaluation above): the classifier alone,
  // and the whole recognize() with entity extraction.
  const timed = (fn: (text: string) => unknown) =>
    lines.map((l) => {
      const t0 = performance.now();
      fn(l.text);
      return performance.now() - t0;
    }).sort((a, b) => a - b);
  const times = timed((text) => recognizer.scores(text));
  const whole = timed((text) => recognizer.recognize(text));
  const outAt = argv.indexOf('--out');
  const outFile = outAt === -1 ? undefined : argv[outAt + 1];
  if (outFile) {
    fs.writeFileSync(outFile, result.predictions.map((p) => JSON.stringify({ text: p.text, intent: p.prediction.intent, faq: p.prediction.faq, score: Number(p.prediction.score.toFixed(4)), alternative: p.prediction.alternative })).join('\n') + '\n');
  }
  const rows = Object.entries(result.perIntent).sort(([a], [b]) => a.localeCompare(b));
  process.stdout.write(`${'intent'.padEnd(16)} ${'support'.padStart(7)} ${'precision'.padStart(9)} ${'recall'.padStart(7)}\n`);
  for (const [intent, f] of rows) {
    process.stdout.write(`${intent.padEnd(16)} ${String(f.support).padStart(7)} ${f.precision.toFixed(3).padStart(9)} ${f.recall.toFixed(3).padStart(7)}\n`);
  }
  process.stdout.write(`model: ${model} (${recognizer.exampleCount} examples, trained in ${trainMs.toFixed(0)} ms)\nclassification ms p50: ${percentile(times, 50).toFixed(3)} p99: ${percentile(times, 99).toFixed(3)}\nwith entities ms p50: ${percentile(whole, 50).toFixed(3)} p99: ${percentile(whole, 99).toFixed(3)}\n`);
  process.stdout.write(`lines: ${result.total}\nfaq top-1: ${result.faqTop1.toFixed(3)}\nout-of-scope routed in scope: ${result.outOfScopeLeak.toFixed(3)}\nclarified (did you mean): ${result.clarified}\n`);
  process.stdout.write(`accuracy: ${result.accuracy.toFixed(3)}\n`);
}

main(process.argv.slice(2));
