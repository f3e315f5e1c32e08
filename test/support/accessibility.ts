// Pages are checked with axe-core, the accessibility engine browsers' own audit tools use: it is evaluated
// in the page as it is and run there, so what it judges is what the trainee's browser shows. Evaluated
// through the browser's debugging protocol rather than added as a <script>, which the pages' Content
// Security Policy rightly refuses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** One rule axe-core found broken, with where. */
export interface AccessibilityViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Every violation on the page as it is now (WCAG 2.x A and AA rules and axe's best practices). */
export async function accessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<AxeResults> } }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
}

interface AxeResults {
  violations: Array<{ id: string; impact?: string; help: string; nodes: Array<{ target: string[] }> }>;
}

/** The serious and critical violations: what the project's pages must not have. */
export async function severeViolations(page: Page): Promise<AccessibilityViolation[]> {
  return (await accessibilityViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Fails with each serious or critical violation named (rule, help text, the elements). */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  const severe = await severeViolations(page);
  assert.deepEqual(
    severe.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.targets.join(', ')}`),
    [],
    `${label}: axe-core found no serious or critical accessibility violation`,
  );
}
