/**
 * A Google client created on first use (importing the SDK costs ~100 ms: never at start-up) and created again on
 * the next use if creating it failed.
 */
export function lazyClient<T extends { initialize(): Promise<unknown> }>(create: () => Promise<T>): () => Promise<T> {
  let client: Promise<T> | undefined;
  return () => {
    if (client) return client;
    const made = (async () => {
      const c = await create();
      await c.initialize();
      return c;
    })();
    client = made;
    made.catch(() => {
      if (client === made) client = undefined;
    });
    return made;
  };
}
