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
