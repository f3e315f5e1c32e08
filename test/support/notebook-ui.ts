// The classic Notebook 6 UI as a trainee drives it, for the browser tests: a chapter opened from the file
// list (Notebook 6 opens it in a new tab), Cell → Run All through the menu, cells run with Shift+Enter, and
// every wait on what the page itself shows (execution numbers, the kernel indicator), never a fixed delay.
import type { Locator, Page } from 'playwright-core';

/** How often a wait looks at the page again: a condition on the page, checked often enough, costs little. */
const POLL_MS = 250;

/** The notebook's cells in document order: index i is cell i of the .ipynb, markdown cells included. */
export function notebookCell(notebook: Page, index: number): Locator {
  return notebook.locator('#notebook-container > .cell').nth(index);
}

/**
 * Opens `file` from the file list on the tree page and waits for its kernel to be idle. `onTab` gets the
 * new tab as soon as it exists, before its kernel starts (to watch its requests, say).
 */
export async function openNotebook(tree: Page, file: string, onTab?: (notebook: Page) => void): Promise<Page> {
  const [notebook] = await Promise.all([tree.context().waitForEvent('page', { timeout: 30_000 }), tree.click(`#notebook_list a.item_link[href$="${file}"]`)]);
  onTab?.(notebook);
  await notebook.waitForSelector('#kernel_indicator_icon.kernel_idle_icon', { timeout: 90_000 });
  return notebook;
}

/**
 * Cell → Run All through the menu; resolves when every code cell has its execution number ("In [3]:", not
 * "In [*]:" or "In [ ]:") and the kernel is idle.
 */
export async function runAll(notebook: Page, timeout = 240_000): Promise<void> {
  await notebook.click('#celllink');
  await notebook.click('#run_all_cells > a');
  await notebook.waitForFunction(
    () => {
      const prompts = [...document.querySelectorAll('.code_cell .input_prompt')].map((p) => p.textContent ?? '');
      return prompts.length > 0 && prompts.every((p) => /In\s*\[\d+\]/.test(p)) && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
    },
    undefined,
    { timeout, polling: POLL_MS },
  );
}

/** The highest execution number any cell shows: cells run later get higher ones. */
export async function highestExecutionCount(notebook: Page): Promise<number> {
  const prompts = await notebook.$$eval('.code_cell .input_prompt', (found) => found.map((p) => p.textContent ?? ''));
  return Math.max(0, ...prompts.map((p) => Number(/In\s*\[(\d+)\]/.exec(p)?.[1] ?? 0)));
}

/**
 * Shift+Enter, as a trainee runs the selected cell (the one being edited, or the one the previous
 * Shift+Enter moved to), and waits until cell `index` has run and the kernel is idle again. A cell's
 * outputs are cleared when it starts and the kernel reports idle only after the last of them, so what the
 * cell shows then is what this run produced.
 */
export async function shiftEnter(notebook: Page, index: number, timeout = 120_000): Promise<void> {
  const after = await highestExecutionCount(notebook);
  await notebook.keyboard.press('Shift+Enter');
  await notebook.waitForFunction(
    ({ index, after }) => {
      const prompt = document.querySelectorAll('#notebook-container > .cell')[index]?.querySelector('.input_prompt')?.textContent ?? '';
      const ran = Number(/In\s*\[(\d+)\]/.exec(prompt)?.[1] ?? 0) > after;
      return ran && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
    },
    { index, after },
    { timeout, polling: POLL_MS },
  );
}

/** File → Close and Halt: the kernel is shut down and the tab closes, as when a trainee leaves a chapter. */
export async function closeAndHalt(notebook: Page): Promise<void> {
  await notebook.click('#filelink');
  await Promise.all([notebook.waitForEvent('close', { timeout: 30_000 }), notebook.click('#close_and_halt > a')]);
}
