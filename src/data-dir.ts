/**
 * DATA_DIR holds callers' voices, contact details, the WhatsApp session and the signing key: owner-only. Folders are
 * 0700 and files 0600 — created so, and tightened at start when an older version (or an operator's `mkdir`, 0755
 * under the usual umask) left them readable to other users of the machine.
 */
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** The folders the server keeps under DATA_DIR (call recordings, WhatsApp media, the speech cache). */
export const DATA_SUBDIRS = ["recordings", "media", "tts-cache"] as const;

/** chmod when we may: a path another user owns is left alone (what we could open is what counts). */
function restrict(path: string, mode: number): void {
  try {
    if (existsSync(path)) chmodSync(path, mode);
  } catch {
    // EPERM: not ours to change
  }
}

/** A folder only its owner may enter (0700): created so, and an existing one is tightened. */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  restrict(path, 0o700); // mkdir's mode is filtered by the umask, and an existing folder keeps its own
}

/** A file only its owner may read (0600), when it exists. */
export const restrictFile = (file: string): void => restrict(file, 0o600);

/** At start: DATA_DIR itself (created if missing) and the folders in it that already exist, 0700. */
export function securePrivateDataDir(dataDir: string): void {
  ensurePrivateDir(dataDir);
  for (const sub of DATA_SUBDIRS) restrict(join(dataDir, sub), 0o700);
}
