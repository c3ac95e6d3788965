/**
 * Bounded fuzz of every body-reading route: 1,000 generated requests per route (random
 * bytes, mutated and wrongly typed versions of valid payloads, deep nesting, odd headers and
 * encodings, lying Content-Length, chunked, oversized, cut-off), with and without valid
 * credentials, sent over real HTTP to the product in a child process. No answer may be a 5xx
 * or never come, and /healthz answers 200 every 250 cases and at the end. Fixed seed: a
 * failure names the case index, and bench/fuzz.ts runs the same generator at any size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyRoutes, health, startProduct, type BodyRoute, type Product } from '../helpers/bodyRoutes';
import { fuzzRoute, type RouteTally } from '../helpers/bodyFuzz';

const CASES_PER_ROUTE = 1000;
const SEED = 17;

describe('fuzzed bodies on every body-reading route (product in a child process)', () => {
  let product: Product;
  let routes: BodyRoute[];
  beforeAll(async () => {
    product = await startProduct();
    routes = await bodyRoutes(product);
  }, 90_000);
  afterAll(async () => {
    await product?.stop();
  });

  it(`answers ${CASES_PER_ROUTE} generated requests per route without a 5xx, a hang or a crash`, async () => {
    // The routes run side by side: each keeps its own bounded number of requests in flight.
    const tallies: RouteTally[] = await Promise.all(routes.map((route) => fuzzRoute(product.port, route, { n: CASES_PER_ROUTE, seed: SEED, concurrency: 3 })));
    const problems = tallies.filter((t) => t.fiveXx > 0 || (t.outcomes.timeout ?? 0) > 0).map((t) => ({ route: t.route, outcomes: t.outcomes, failures: t.failures }));
    expect(problems).toEqual([]);
    // Each route was really exercised: its parser refused malformed JSON, its limit and encoding rules held.
    for (const t of tallies) {
      expect(t.outcomes['400'] ?? 0, t.route).toBeGreaterThan(50);
      expect(t.outcomes['413'] ?? 0, t.route).toBeGreaterThan(20);
      expect(t.outcomes['415'] ?? 0, t.route).toBeGreaterThan(20);
    }
    expect(await health(product.port)).toBe(200);
    expect(product.child.proc.exitCode).toBeNull();
  }, 240_000);
});
