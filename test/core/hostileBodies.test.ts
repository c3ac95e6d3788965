/**
 * Hostile bodies on every body-reading route, sent to the real product in a child process:
 * a compressed body is refused with 415 without being decompressed (restify's bodyParser
 * crashed the process on 4 bytes of "gzip" and inflated a gzip bomb to the heap's end), a
 * body past the limit with no Content-Length is 413, JSON that is not UTF-8 is 400, and a
 * request cut off half way is survived. After each, GET /healthz must still answer 200.
 */
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyRoutes, credentials, health, limitOf, sendRaw, startProduct, type BodyRoute, type Product, type RawRequest } from '../helpers/bodyRoutes';

/** 64 MB of zeros gzipped: about 64 KB on the wire, well under the byte limit. */
async function gzipBomb(): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => gzip.once('end', r));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 64; i++) gzip.write(zeros);
  gzip.end();
  await done;
  return Buffer.concat(out);
}

/** A seed with bytes that are not UTF-8 inside a string: before, they became U+FFFD and the body passed. */
function notUtf8(route: BodyRoute): Buffer {
  const json = JSON.stringify(route.seeds[0]);
  const at = json.indexOf('":"') + 3;
  return Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(json.slice(at))]);
}

describe('hostile bodies on every body-reading route (product in a child process)', () => {
  let product: Product;
  let routes: BodyRoute[];
  let bomb: Buffer;
  beforeAll(async () => {
    [product, bomb] = await Promise.all([startProduct(), gzipBomb()]);
    routes = await bodyRoutes(product);
  }, 90_000);
  afterAll(async () => {
    await product?.stop();
  });

  const request = (route: BodyRoute, body: Buffer, extra: Array<[string, string]>, rest: Partial<RawRequest> = {}): RawRequest => ({
    method: route.method,
    path: route.path,
    headers: [['content-type', 'application/json'], ...credentials(route, body), ...extra],
    body,
    ...rest,
  });

  it('refuses compressed, oversized, non-UTF-8 and cut-off bodies with a 4xx, and the process stays up', async () => {
    const seen: Record<string, Record<string, string | number>> = {};
    for (const route of routes) {
      const row: Record<string, string | number> = {};
      const cases: Array<[string, RawRequest]> = [
        ...['gzip', 'deflate', 'br', 'x-unknown'].map((enc): [string, RawRequest] => [enc, request(route, Buffer.from('xxxx'), [['content-encoding', enc]])]),
        ['gzip bomb', request(route, bomb, [['content-encoding', 'gzip']])],
        ['chunked over the limit', request(route, Buffer.alloc(limitOf(route) + 64 * 1024, 0x20), [], { framing: { kind: 'chunked', chunk: 16 * 1024 } })],
        ['not UTF-8', request(route, notUtf8(route), [])],
        ['aborted', request(route, Buffer.from(JSON.stringify(route.seeds[0])), [], { abortAfter: 10 })],
      ];
      for (const [name, req] of cases) {
        row[name] = await sendRaw(product.port, req);
        row[`${name} → healthz`] = await health(product.port);
        // The next case needs a live process; stop here so the failure names the case that killed it.
        if (row[`${name} → healthz`] !== 200) {
          seen[route.name] = row;
          expect(seen).toBe(`process died after "${name}" on ${route.name}`);
        }
      }
      seen[route.name] = row;
    }
    const expected = Object.fromEntries(
      routes.map((r) => [
        r.name,
        {
          gzip: 415, 'gzip → healthz': 200,
          deflate: 415, 'deflate → healthz': 200,
          br: 415, 'br → healthz': 200,
          'x-unknown': 415, 'x-unknown → healthz': 200,
          'gzip bomb': 415, 'gzip bomb → healthz': 200,
          'chunked over the limit': 413, 'chunked over the limit → healthz': 200,
          'not UTF-8': 400, 'not UTF-8 → healthz': 200,
          aborted: 'aborted', 'aborted → healthz': 200,
        },
      ]),
    );
    expect(seen).toEqual(expected);
    expect(product.child.proc.exitCode).toBeNull();
  }, 120_000);
});
