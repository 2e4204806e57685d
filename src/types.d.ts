/** Type declarations for untyped modules. */
declare module "espeak-ng" {
  interface ESpeakInstance {
    FS: { readFile(path: string): Uint8Array };
  }
  export default function ESpeakNg(options: Record<string, unknown>): Promise<ESpeakInstance>;
}

declare module "*.wasm" {
  const path: string;
  export default path;
}

/** Files embedded with the build (the SPA's bundler gives a URL; the server's `with { type: "file" }` a path). */
declare module "*.svg" {
  const path: string;
  export default path;
}
declare module "*.ico" {
  const path: string;
  export default path;
}
declare module "*.wav" {
  const path: string;
  export default path;
}
