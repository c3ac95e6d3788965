/**
 * The understanding contract from the command line (design.md):
 *   npm run nlu -- "text"                         one JSON line
 *   npm run nlu -- --eval FILE.jsonl [--out FILE] [--unseen]
 *                                                 per-intent figures, then "accuracy: 0.NNN";
 *                                                 --unseen skips lines that are training examples
 */
import fs from 'node:fs';
import { createRecognizer, examplesOf, loadTrainingData } from './recognizer';
import { classifierText } from './features';
import { evaluate, parseLabelled } from './evaluate';

function usage(): never {
  process.stderr.write('usage: npm run nlu -- "text"\n       npm run nlu -- --eval FILE.jsonl [--out FILE] [--unseen]\n');
  process.exit(2);
}

function main(argv: string[]): void {
  const recognizer = createRecognizer();
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
  process.stdout.write(`lines: ${result.total}\nfaq top-1: ${result.faqTop1.toFixed(3)}\nout-of-scope routed in scope: ${result.outOfScopeLeak.toFixed(3)}\nclarified (did you mean): ${result.clarified}\n`);
  process.stdout.write(`accuracy: ${result.accuracy.toFixed(3)}\n`);
}

main(process.argv.slice(2));
