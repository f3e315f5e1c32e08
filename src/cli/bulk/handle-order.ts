// Keeps bulk lines about the same handle in file order while lines about different handles run side by side.

/**
 * Wraps work so that calls sharing a handle run one after another, in the order they were started;
 * calls naming no handle (a SEARCH, a CREATE with a generated name) never wait. A RELATION names both
 * parent and child, so it also waits for the line that creates the child. Handle names compare
 * case-insensitively, as on a Handle server.
 * @example
 * const inOrder = new HandleOrder();
 * await Promise.all([inOrder.run(['21.T12995/a'], create), inOrder.run(['21.T12995/A'], modify)]); // modify starts after create ends
 */
export class HandleOrder {
  private readonly lastByHandle = new Map<string, Promise<void>>();

  run<T>(handles: readonly string[], work: () => Promise<T>): Promise<T> {
    const keys = [...new Set(handles.map((handle) => handle.toUpperCase()))];
    const earlier = keys.map((key) => this.lastByHandle.get(key)).filter((p): p is Promise<void> => p !== undefined);
    const current = earlier.length ? Promise.all(earlier).then(work) : work();
    // A failed earlier line must not stop the later ones: they wait for it to settle, not to succeed.
    const settled = current.then(
      () => undefined,
      () => undefined,
    );
    for (const key of keys) this.lastByHandle.set(key, settled);
    void settled.then(() => {
      for (const key of keys) if (this.lastByHandle.get(key) === settled) this.lastByHandle.delete(key);
    });
    return current;
  }
}
