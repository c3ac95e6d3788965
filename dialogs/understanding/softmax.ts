/**
 * Multinomial logistic regression over the same TF-IDF features as the nearest-neighbour
 * baseline (classifier.ts). It learns which features tell labels apart — a service name
 * seen only in out-of-scope examples ("Nafath", "Aramex") outweighs the shared "how do I
 * register" — which the baseline cannot. On the evaluation set it beats the baseline on
 * accuracy and on out-of-scope leakage (README, "Understanding"). Trained by SGD with a fixed
 * shuffle, so the same examples always give the same model: once by `npm run build` (saved
 * by modelFile.ts, loaded at a production start), or at start-up in development.
 */
import { classifierText, DEFAULT_FEATURES, featuresOf, type FeatureOptions } from './features';
import type { Example, LabelScore } from './classifier';

export interface SoftmaxOptions {
  features: FeatureOptions;
  epochs: number;
  learningRate: number;
}

export const DEFAULT_SOFTMAX: SoftmaxOptions = { features: DEFAULT_FEATURES, epochs: 20, learningRate: 1 };

/** Everything a trained model is: what modelFile.ts writes at build time and reads at start. */
export interface SoftmaxParameters {
  labels: string[];
  /** Feature strings in index order. */
  features: string[];
  idf: Float64Array;
  unseenIdf: number;
  /** weights[feature * labels + label] */
  weights: Float64Array;
  bias: Float64Array;
  options: SoftmaxOptions;
}

interface SparseVector {
  index: Int32Array;
  value: Float64Array;
}

export class SoftmaxClassifier {
  readonly labels: string[];
  private readonly featureIndex = new Map<string, number>();
  private readonly idf: Float64Array;
  private readonly unseenIdf: number;
  /** weights[feature * labels + label] */
  private readonly weights: Float64Array;
  private readonly bias: Float64Array;
  private readonly options: SoftmaxOptions;

  /** Trains on the examples, or restores a model trained before (same predictions, no training). */
  constructor(source: readonly Example[] | SoftmaxParameters, options: Partial<SoftmaxOptions> = {}) {
    if (!Array.isArray(source)) {
      const saved = source as SoftmaxParameters;
      if (saved.weights.length !== saved.features.length * saved.labels.length || saved.bias.length !== saved.labels.length || saved.idf.length !== saved.features.length) {
        throw new Error('softmax parameters: sizes do not match');
      }
      this.options = saved.options;
      this.labels = saved.labels;
      saved.features.forEach((f, i) => this.featureIndex.set(f, i));
      this.idf = saved.idf;
      this.unseenIdf = saved.unseenIdf;
      this.weights = saved.weights;
      this.bias = saved.bias;
      return;
    }
    const examples = source as readonly Example[];
    this.options = { ...DEFAULT_SOFTMAX, ...options };
    this.labels = [...new Set(examples.map((e) => e.label))];
    const labelIndex = new Map(this.labels.map((l, i) => [l, i]));
    const counts = examples.map((e) => featuresOf(classifierText(e.text), this.options.features));
    const df: number[] = [];
    for (const doc of counts) {
      for (const f of doc.keys()) {
        let i = this.featureIndex.get(f);
        if (i === undefined) this.featureIndex.set(f, (i = df.length)), df.push(0);
        df[i] = (df[i] ?? 0) + 1;
      }
    }
    const n = examples.length;
    this.idf = Float64Array.from(df, (d) => Math.log((n + 1) / (d + 1)) + 1);
    this.unseenIdf = Math.log(n + 1) + 1;
    const L = this.labels.length;
    this.weights = new Float64Array(df.length * L);
    this.bias = new Float64Array(L);
    const xs = counts.map((c) => this.vectorize(c));
    const ys = examples.map((e) => labelIndex.get(e.label) ?? 0);
    this.train(xs, ys);
  }

  /** Sublinear TF × IDF, L2-normalised; unseen features count in the norm only (see classifier.ts). */
  private vectorize(counts: Map<string, number>): SparseVector {
    const index: number[] = [];
    const value: number[] = [];
    let norm = 0;
    for (const [f, c] of counts) {
      const i = this.featureIndex.get(f);
      const w = (1 + Math.log(c)) * (i === undefined ? this.unseenIdf : (this.idf[i] ?? 0));
      norm += w * w;
      if (i !== undefined) index.push(i), value.push(w);
    }
    norm = Math.sqrt(norm) || 1;
    return { index: Int32Array.from(index), value: Float64Array.from(value, (v) => v / norm) };
  }

  private probabilities(x: SparseVector, out: Float64Array): void {
    const L = this.labels.length;
    out.set(this.bias);
    for (let j = 0; j < x.index.length; j++) {
      const base = (x.index[j] ?? 0) * L;
      const v = x.value[j] ?? 0;
      for (let k = 0; k < L; k++) out[k] = (out[k] ?? 0) + (this.weights[base + k] ?? 0) * v;
    }
    let max = -Infinity;
    for (let k = 0; k < L; k++) max = Math.max(max, out[k] ?? 0);
    let sum = 0;
    for (let k = 0; k < L; k++) sum += out[k] = Math.exp((out[k] ?? 0) - max);
    for (let k = 0; k < L; k++) out[k] = (out[k] ?? 0) / sum;
  }

  private train(xs: SparseVector[], ys: number[]): void {
    const L = this.labels.length;
    const p = new Float64Array(L);
    const order = xs.map((_, i) => i);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let epoch = 0; epoch < this.options.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
      }
      const rate = this.options.learningRate / (1 + epoch * 0.2);
      for (const e of order) {
        const x = xs[e];
        if (!x) continue;
        this.probabilities(x, p);
        p[ys[e] ?? 0] = (p[ys[e] ?? 0] ?? 0) - 1; // gradient of cross-entropy wrt logits
        for (let k = 0; k < L; k++) this.bias[k] = (this.bias[k] ?? 0) - rate * (p[k] ?? 0);
        for (let j = 0; j < x.index.length; j++) {
          const base = (x.index[j] ?? 0) * L;
          const v = rate * (x.value[j] ?? 0);
          for (let k = 0; k < L; k++) this.weights[base + k] = (this.weights[base + k] ?? 0) - v * (p[k] ?? 0);
        }
      }
    }
  }

  parameters(): SoftmaxParameters {
    return {
      labels: this.labels,
      features: [...this.featureIndex.keys()],
      idf: this.idf,
      unseenIdf: this.unseenIdf,
      weights: this.weights,
      bias: this.bias,
      options: this.options,
    };
  }

  /** Every label with its probability, best first. */
  classify(text: string): LabelScore[] {
    const p = new Float64Array(this.labels.length);
    this.probabilities(this.vectorize(featuresOf(classifierText(text), this.options.features)), p);
    return this.labels.map((label, k) => ({ label, score: p[k] ?? 0 })).sort((a, b) => b.score - a.score);
  }
}
