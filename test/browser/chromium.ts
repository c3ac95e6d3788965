/**
 * What every browser suite shares: where Chromium is, how to start it, and what happens
 * without it. No Chromium: the suite is skipped with a line saying so and how to install it;
 * with CI=true it fails instead, so a CI machine without a browser never passes silently.
 * Also axe-core (a devDependency), injected into a page to check it for accessibility.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
export const CHROMIUM_INSTALL = 'sudo apt-get install -y chromium (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary';

/** describe() when Chromium is there; else skipped with a warning, or one failing test when CI=true. */
export function describeInChromium(name: string, body: () => void): void {
  if (HAVE_CHROMIUM) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Chromium (CI=true)', () => {
        throw new Error(`no Chromium at ${CHROMIUM}; CI=true does not skip browser tests. Install it: ${CHROMIUM_INSTALL}`);
      });
    });
  } else {
    // Said in the output, so a skipped browser suite is never mistaken for a passing one.
    console.warn(`"${name}" skipped: no Chromium at ${CHROMIUM}. Install it: ${CHROMIUM_INSTALL}`);
    describe.skip(name, body);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's WCAG 2.x A/AA rules (and its best practices) over the page as it is now. Injected
 * through the DevTools protocol (playwright's evaluate), so the page's CSP does not apply.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

/** One line per violation and element, for a readable failure. */
export const describeViolations = (violations: AxeViolation[]) =>
  violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact ?? '?'}): ${v.help} at ${n.target.join(' ')}`));
