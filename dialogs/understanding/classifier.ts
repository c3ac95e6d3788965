/**
 * A TF-IDF nearest-neighbour text classifier over the features of features.ts. Each label's
 * score is the cosine similarity of the message to that label's closest examples (a blend
 * of the best and the mean of the best three), so a label with many phrasings is not
 * favoured over one with few. Training is a few milliseconds for a few thousand examples;
 * classification walks an inverted index and stays well under a millisecond.
 */
import { classifierText, DEFAULT_FEATURES, featuresOf, isWordFeature, type FeatureOptions } from './features';

export interface Example {
  text: string;
  label: string;
}

export interface LabelScore {
  label: string;
  score: number;
}

interface Posting {
  example: number;
  weight: number;
}

export interface ClassifierOptions {
  features: FeatureOptions;
  /** Weight of word features against character n-grams. */
  wordWeight: number;
  /** Extra weight of a word never seen in training (pulls out-of-domain messages down). */
  unseenWordWeight: number;
  /** A label's score blends its best neighbour and the mean of its best `topK`. */
  topK: number;
  bestWeight: number;
}

export const DEFAULT_CLASSIFIER: ClassifierOptions = { features: DEFAULT_FEATURES, wordWeight: 1, unseenWordWeight: 1, topK: 3, bestWeight: 0.6 };

export class NearestNeighbourClassifier {
  private readonly idf = new Map<string, number>();
  private readonly index = new Map<string, Posting[]>();
  private readonly labelOf: Int32Array;
  readonly labels: string[];
  private readonly sims: Float64Array;
  private readonly touched: Int32Array;
  private readonly unseenIdf: number;

  private readonly options: ClassifierOptions;

  constructor(examples: readonly Example[], options: Partial<ClassifierOptions> = {}) {
    this.options = { ...DEFAULT_CLASSIFIER, ...options };
    this.labels = [...new Set(examples.map((e) => e.label))];
    const labelIndex = new Map(this.labels.map((l, i) => [l, i]));
    this.labelOf = Int32Array.from(examples.map((e) => labelIndex.get(e.label) ?? 0));
    this.sims = new Float64Array(examples.length);
    this.touched = new Int32Array(examples.length);

    const docs = examples.map((e) => featuresOf(classifierText(e.text), this.options.features));
    const df = new Map<string, number>();
    for (const doc of docs) for (const f of doc.keys()) df.set(f, (df.get(f) ?? 0) + 1);
    const n = docs.length;
    for (const [f, d] of df) this.idf.set(f, Math.log((n + 1) / (d + 1)) + 1);
    this.unseenIdf = Math.log(n + 1) + 1;

    docs.forEach((doc, example) => {
      for (const [f, w] of this.weigh(doc)) {
        let list = this.index.get(f);
        if (!list) this.index.set(f, (list = []));
        list.push({ example, weight: w });
      }
    });
  }

  /**
   * Sublinear TF × IDF, L2-normalised. Features never seen in training count in the norm at
   * the rarest weight but match nothing: words from outside the domain ("Aramex parcel")
   * pull the similarity down instead of vanishing, which keeps out-of-scope messages out.
   */
  private weigh(counts: Map<string, number>): Map<string, number> {
    const out = new Map<string, number>();
    let norm = 0;
    for (const [f, c] of counts) {
      const idf = this.idf.get(f);
      const word = isWordFeature(f);
      const kind = word ? this.options.wordWeight * (idf === undefined ? this.options.unseenWordWeight : 1) : 1;
      const w = (1 + Math.log(c)) * (idf ?? this.unseenIdf) * kind;
      if (idf !== undefined) out.set(f, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [f, w] of out) out.set(f, w / norm);
    return out;
  }

  /** Every label's score, best first. Empty when the text shares nothing with the examples. */
  classify(text: string): LabelScore[] {
    const query = this.weigh(featuresOf(classifierText(text), this.options.features));
    const sims = this.sims;
    const touched = this.touched;
    let count = 0;
    for (const [f, qw] of query) {
      const list = this.index.get(f);
      if (!list) continue;
      for (const p of list) {
        if (sims[p.example] === 0) touched[count++] = p.example;
        sims[p.example] += qw * p.weight;
      }
    }
    // The best TOP_K similarities of each label.
    const best = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const ex = touched[i] ?? 0;
      const s = sims[ex] ?? 0;
      sims[ex] = 0;
      const label = this.labelOf[ex] ?? 0;
      const top = best.get(label);
      if (!top) best.set(label, [s]);
      else if (top.length < this.options.topK) top.push(s);
      else {
        let min = 0;
        for (let j = 1; j < top.length; j++) if ((top[j] ?? 0) < (top[min] ?? 0)) min = j;
        if (s > (top[min] ?? 0)) top[min] = s;
      }
    }
    const scores: LabelScore[] = [];
    for (const [label, top] of best) {
      const max = Math.max(...top);
      const mean = top.reduce((a, b) => a + b, 0) / this.options.topK;
      scores.push({ label: this.labels[label] ?? '', score: this.options.bestWeight * max + (1 - this.options.bestWeight) * mean });
    }
    return scores.sort((a, b) => b.score - a.score);
  }
}
