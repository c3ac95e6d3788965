/**
 * The understanding model trained once by `npm run build` and loaded at a production start
 * (training takes about a second of CPU at every start otherwise). The file carries a
 * fingerprint of what the model was trained from: the examples, the training options, the
 * format, and the source of the feature pipeline (normalize, features, softmax) as it is
 * loaded. A model whose fingerprint differs from the current one is not used: the caller
 * retrains and warns, so a stale file can cost a second, never a wrong answer.
 *
 * Layout: uint32 LE header length, the header (JSON), zero padding to 8 bytes, then the
 * bias, IDF and weight arrays as float64 little-endian (exact: the loaded model predicts
 * exactly what the trained one did).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Example } from './classifier';
import { DEFAULT_SOFTMAX, SoftmaxClassifier, type SoftmaxOptions } from './softmax';
import { APP_ROOT, FROM_SOURCE } from '../../bot/appRoot';

/** Bump when the file layout or the training procedure changes without its source changing. */
const MODEL_FORMAT = 1;
/** The modules whose code decides what a model learns and how it reads a message. */
const PIPELINE_MODULES = ['normalize', 'features', 'softmax'];

interface Header {
  format: number;
  fingerprint: string;
  labels: string[];
  features: string[];
  unseenIdf: number;
  options: SoftmaxOptions;
  /** sha256 of the float arrays: a truncated or damaged file is refused, not half-loaded. */
  payload: string;
}

/** What the model is a function of; equal fingerprints → an equal model. */
export function trainingFingerprint(examples: readonly Example[], options: SoftmaxOptions = DEFAULT_SOFTMAX): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ format: MODEL_FORMAT, options }));
  for (const e of examples) hash.update(`${e.label}\u0000${e.text}\u0001`);
  // The pipeline's files as this process runs them: .ts under tsx; in the build, the compiled
  // .js files the bundle (dist/bot/server.cjs) was made from, which sit beside it in dist/.
  const dir = path.join(APP_ROOT, 'dialogs', 'understanding');
  for (const name of PIPELINE_MODULES) hash.update(fs.readFileSync(path.join(dir, name + (FROM_SOURCE ? '.ts' : '.js'))));
  return hash.digest('hex');
}

const floatBytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export function writeModelFile(file: string, model: SoftmaxClassifier, fingerprint: string): void {
  if (os.endianness() !== 'LE') throw new Error('model file: only little-endian machines write it');
  const p = model.parameters();
  const arrays = [p.bias, p.idf, p.weights].map(floatBytes);
  const payload = createHash('sha256');
  for (const a of arrays) payload.update(a);
  const header: Header = { format: MODEL_FORMAT, fingerprint, labels: p.labels, features: p.features, unseenIdf: p.unseenIdf, options: p.options, payload: payload.digest('hex') };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const padding = Buffer.alloc((8 - ((4 + json.length) % 8)) % 8);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written beside and renamed: a reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([length, json, padding, ...arrays]));
  fs.renameSync(tmp, file);
}

export type LoadedModel = { ok: true; model: SoftmaxClassifier } | { ok: false; reason: 'missing' | 'stale' | 'unreadable'; detail?: string };

/** The saved model when its fingerprint is `fingerprint`; otherwise why not (the caller retrains). */
export function readModelFile(file: string, fingerprint: string): LoadedModel {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'missing' };
    return { ok: false, reason: 'unreadable', detail: (err as Error).message };
  }
  try {
    if (os.endianness() !== 'LE') return { ok: false, reason: 'unreadable', detail: 'big-endian machine' };
    const length = raw.readUInt32LE(0);
    const header = JSON.parse(raw.subarray(4, 4 + length).toString('utf8')) as Header;
    if (header.format !== MODEL_FORMAT || header.fingerprint !== fingerprint) return { ok: false, reason: 'stale' };
    let at = 4 + length + ((8 - ((4 + length) % 8)) % 8);
    const take = (count: number): Float64Array => {
      const bytes = raw.subarray(at, at + count * 8);
      if (bytes.length !== count * 8) throw new Error('file is truncated');
      at += count * 8;
      // A copy: the Buffer's offset need not be 8-byte aligned.
      return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    };
    const L = header.labels.length;
    const bias = take(L);
    const idf = take(header.features.length);
    const weights = take(header.features.length * L);
    if (at !== raw.length) throw new Error('file has trailing bytes');
    const payload = createHash('sha256');
    for (const a of [bias, idf, weights]) payload.update(floatBytes(a));
    if (payload.digest('hex') !== header.payload) throw new Error('payload checksum does not match');
    return { ok: true, model: new SoftmaxClassifier({ labels: header.labels, features: header.features, idf, unseenIdf: header.unseenIdf, weights, bias, options: header.options }) };
  } catch (err) {
    return { ok: false, reason: 'unreadable', detail: (err as Error).message };
  }
}
