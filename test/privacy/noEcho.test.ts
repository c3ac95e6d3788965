/**
 * A validation error never repeats what was typed: a wrong "request number" is often a
 * one-time code or an ID number sent at the wrong step.
 */
import { describe, expect, it } from 'vitest';
import { harness, startStatusSim, t, texts, useSimulator } from '../status/support';
import type { Simulator } from '../../sim';

let sim: Simulator;
let url: string;
useSimulator(startStatusSim, (running) => ({ sim, url } = running));

describe('the bot never repeats a typed code back', () => {
  for (const lang of ['ar', 'en'] as const) {
    it(`${lang}: a code, a too long number and a wrong prefix at the request-number step`, async () => {
      const h = harness({ sim, url, locale: lang === 'ar' ? 'ar-SA' : 'en-US' });
      await h.say(t(lang, 'menu.status'));
      await h.say('1');
      for (const typed of ['654321', '٦٥٤٣٢١٩٨٧٦٥', '500000101']) {
        const reply = texts(await h.say(typed));
        expect(reply.length).toBeGreaterThan(10);
        expect(reply).not.toContain(typed);
        expect(reply).not.toMatch(/654321|٦٥٤٣٢١|500000101|65432198765/);
      }
      // The state the next turn reads keeps none of it either.
      expect(JSON.stringify(await h.data())).not.toMatch(/654321|500000101/);
    });
  }
});
