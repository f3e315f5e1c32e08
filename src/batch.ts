// Bounded-concurrency batches for bulk work (the CLI's bulk mode, benchmarks): a fixed number of
// workers take items in order, each outcome is recorded, progress is reported as items finish.

export interface BatchOptions {
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Called after each item with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
}

export type BatchResult<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * Runs `work` over `items` with at most `concurrency` at once; results keep the items' order.
 * @example const results = await runBatch(urls, (url) => client.generateAndRegisterHandle(prefix, url), { concurrency: 4 });
 */
export async function runBatch<I, T>(
  items: readonly I[],
  work: (item: I, index: number) => Promise<T>,
  options: BatchOptions = {},
): Promise<Array<BatchResult<T>>> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const results: Array<BatchResult<T>> = new Array(items.length);
  let next = 0;
  let done = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { ok: true, value: await work(items[index]!, index) };
      } catch (error) {
        results[index] = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
      }
      done++;
      options.onProgress?.(done, items.length);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
