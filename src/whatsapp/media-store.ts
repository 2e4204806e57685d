/**
 * Message media on disk under DATA_DIR/media. A file's name is derived from the channel, the provider's message id
 * and the attachment's index, so a redelivered message overwrites its own file instead of leaving a copy; it is
 * written to a temporary name and renamed, so a crash mid-download never leaves half a file under the real name.
 * The database keeps the name relative to the media folder.
 */
import { chmodSync, renameSync, rmSync } from "node:fs";
import { basename, extname, join, resolve, sep } from "node:path";
import { ensurePrivateDir } from "../data-dir.ts";
import type { MediaFile } from "./protocol.ts";

/** Larger files are refused (bytes): WhatsApp's own limit for documents is 100 MB. */
export const MAX_MEDIA_BYTES = 100 * 1024 * 1024;

const EXT: Record<string, string> = {
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/webp": ".webp",
  "image/gif": ".gif",
  "audio/ogg": ".ogg",
  "audio/mpeg": ".mp3",
  "audio/mp4": ".m4a",
  "audio/aac": ".aac",
  "audio/amr": ".amr",
  "video/mp4": ".mp4",
  "video/3gpp": ".3gp",
  "application/pdf": ".pdf",
  "text/vcard": ".vcf",
  "text/plain": ".txt",
};

export class MediaTooLarge extends Error {
  constructor(limit: number) {
    super(`media is larger than ${limit} bytes`);
  }
}

export class MediaStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = resolve(dataDir, "media");
  }

  private fileName(channel: string, providerId: string, index: number, mime: string, name?: string): string {
    const id = providerId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 120);
    const fromName = name ? extname(basename(name)).toLowerCase() : "";
    const ext = EXT[mime] ?? (/^\.[a-z0-9]{1,8}$/.test(fromName) ? fromName : ".bin");
    return `${channel}-${id}-${index}${ext}`;
  }

  /** Streams `body` to its file, refusing more than `maxBytes`. */
  async save(
    o: { channel: string; providerId: string; index: number; mime: string; name?: string },
    body: AsyncIterable<Uint8Array> | Uint8Array,
    maxBytes = MAX_MEDIA_BYTES,
  ): Promise<MediaFile> {
    ensurePrivateDir(this.dir);
    const file = this.fileName(o.channel, o.providerId, o.index, o.mime, o.name);
    const tmp = join(this.dir, `.${file}.${process.pid}.${Math.random().toString(36).slice(2)}.part`);
    const sink = Bun.file(tmp).writer();
    let bytes = 0;
    try {
      const chunks = body instanceof Uint8Array ? [body] : body;
      for await (const chunk of chunks) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes) throw new MediaTooLarge(maxBytes);
        sink.write(chunk);
      }
      await sink.end();
      chmodSync(tmp, 0o600); // owner-only whatever the umask of the process (a CLI, a test) that writes it
      renameSync(tmp, join(this.dir, file));
    } catch (err) {
      await Promise.resolve(sink.end()).catch(() => {});
      rmSync(tmp, { force: true });
      throw err;
    }
    return { path: file, mime: o.mime, bytes, ...(o.name ? { name: basename(o.name).slice(0, 200) } : {}) };
  }

  /** The absolute path of a stored file, or undefined if `path` would leave the media folder. */
  resolve(path: string): string | undefined {
    const full = resolve(this.dir, path);
    return full.startsWith(this.dir + sep) ? full : undefined;
  }
}
