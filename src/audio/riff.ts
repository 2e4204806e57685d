/**
 * Minimal RIFF/WAVE reading and writing. Google's MULAW/LINEAR16 output carries a WAV header whose size varies
 * (LIST/fact chunks), so the `data` chunk is found by walking the chunks, never by cutting a fixed 44 bytes.
 */

export interface WavInfo {
  /** 1 = PCM, 7 = μ-law, 6 = A-law */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  data: Uint8Array;
}

export class RiffError extends Error {}

const ascii = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

export function isRiff(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0) === "RIFF" && ascii(bytes, 8) === "WAVE";
}

export function parseWav(bytes: Uint8Array): WavInfo {
  if (!isRiff(bytes)) throw new RiffError("not a RIFF/WAVE file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Omit<WavInfo, "data"> | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at);
    let size = view.getUint32(at + 4, true);
    const body = at + 8;
    // Streaming writers put 0 or 0xFFFFFFFF in the data size: take the rest of the file.
    if (id === "data" && (size === 0 || size === 0xffffffff || body + size > bytes.length)) size = bytes.length - body;
    if (id === "fmt ") {
      fmt = {
        format: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (!fmt) throw new RiffError("data chunk before fmt chunk");
      return { ...fmt, data: bytes.subarray(body, body + size) };
    }
    at = body + size + (size & 1); // chunks are padded to an even length
  }
  throw new RiffError("no data chunk");
}

/** The audio payload: the data chunk of a WAV, or the bytes themselves when they carry no header. */
export function stripWavHeader(bytes: Uint8Array): Uint8Array {
  return isRiff(bytes) ? parseWav(bytes).data : bytes;
}

/** A 44-byte canonical WAV header for `dataBytes` of audio. */
export function wavHeader(o: { format: 1 | 7; channels: number; sampleRate: number; bitsPerSample: number; dataBytes: number }): Uint8Array {
  const header = new Uint8Array(44);
  const v = new DataView(header.buffer);
  const blockAlign = (o.channels * o.bitsPerSample) / 8;
  header.set(new TextEncoder().encode("RIFF"), 0);
  v.setUint32(4, 36 + o.dataBytes, true);
  header.set(new TextEncoder().encode("WAVEfmt "), 8);
  v.setUint32(16, 16, true);
  v.setUint16(20, o.format, true);
  v.setUint16(22, o.channels, true);
  v.setUint32(24, o.sampleRate, true);
  v.setUint32(28, o.sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, o.bitsPerSample, true);
  header.set(new TextEncoder().encode("data"), 36);
  v.setUint32(40, o.dataBytes, true);
  return header;
}

/** Mono 8 kHz μ-law audio as a WAV file (format 7), e.g. for `agentlocator call --out`. */
export function mulawWav(mulaw: Uint8Array): Uint8Array {
  const out = new Uint8Array(44 + mulaw.length);
  out.set(wavHeader({ format: 7, channels: 1, sampleRate: 8000, bitsPerSample: 8, dataBytes: mulaw.length }));
  out.set(mulaw, 44);
  return out;
}
