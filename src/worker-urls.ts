/**
 * Where the Worker entry files are. This module sits beside cli.ts and the worker files on purpose: in the compiled
 * binary every entrypoint lives at the bundle root (/$bunfs/root/…) and `import.meta.url` of bundled code is the
 * root's, so a URL relative to this folder resolves in `bun run` and in the binary alike.
 * Each worker must also be listed in scripts/build.ts's entrypoints.
 */
export const ESPEAK_WORKER_URL = new URL("./espeak-worker.ts", import.meta.url).href;
export const WHATSAPP_WORKER_URL = new URL("./whatsapp-worker.ts", import.meta.url).href;
