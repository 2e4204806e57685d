/**
 * The test call's audio thread (an AudioWorklet module, plain JavaScript: the bundler copies it as a file and the
 * page loads it from its own origin, as the app's CSP requires — `script-src 'self'` governs worklets).
 * Two processors, kept dumb on purpose; resampling, μ-law and the Twilio protocol run on the page:
 * - "capture": copies the microphone's first channel out in blocks of BLOCK samples (≈ 10 ms at 48 kHz).
 * - "player": plays queued samples at the context's rate. It waits for PREBUFFER_MS of audio before it starts
 *   (or until told the segment is complete: "flush", or until it has waited as long), so network jitter does not chop the agent's voice; it counts
 *   every sample it has consumed — played, or dropped by "clear" — and reports the count (≈ every 20 ms and when it
 *   runs dry, and in silence too), which is how the page knows a mark's audio has really been played — and a
 *   steady audio-clock beat for the page's frame clock.
 */

const BLOCK = 512;
const PREBUFFER_MS = 60;
const REPORT_EVERY_MS = 20;

class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Float32Array(BLOCK);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true; // no microphone connected (yet): keep the node alive
    let i = 0;
    while (i < channel.length) {
      const n = Math.min(channel.length - i, BLOCK - this.filled);
      this.block.set(channel.subarray(i, i + n), this.filled);
      this.filled += n;
      i += n;
      if (this.filled === BLOCK) {
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Float32Array(BLOCK);
        this.filled = 0;
      }
    }
    return true;
  }
}

class PlayerProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    /** Chunks waiting to play, and the read position in the first one. */
    this.queue = [];
    this.offset = 0;
    this.queued = 0;
    /** Samples consumed since the start (played or dropped). */
    this.consumed = 0;
    this.playing = false;
    this.flushed = false;
    /** Samples of output time that audio has waited in the queue without playing. */
    this.waited = 0;
    this.prebuffer = Math.round((sampleRate * PREBUFFER_MS) / 1000);
    this.reportEvery = Math.round((sampleRate * REPORT_EVERY_MS) / 1000);
    this.sinceReport = 0;
    this.port.onmessage = (e) => this.command(e.data);
  }

  command(m) {
    if (m instanceof Float32Array) {
      this.queue.push(m);
      this.queued += m.length;
      this.flushed = false;
    } else if (m && m.type === "flush") {
      this.flushed = true;
    } else if (m && m.type === "clear") {
      // everything queued is dropped at once, and counts as consumed (as Twilio's clear answers every pending mark)
      this.consumed += this.queued;
      this.queue = [];
      this.offset = 0;
      this.queued = 0;
      this.playing = false;
      this.report();
    }
  }

  report() {
    this.sinceReport = 0;
    this.port.postMessage({ consumed: this.consumed });
  }

  process(_inputs, outputs) {
    const out = outputs[0] && outputs[0][0];
    if (!out) return true;
    if (!this.playing && this.queued > 0) {
      this.waited += out.length;
      if (this.queued >= this.prebuffer || this.flushed || this.waited >= this.prebuffer) {
        this.playing = true;
        this.waited = 0;
      }
    }
    let written = 0;
    while (this.playing && written < out.length && this.queue.length) {
      const chunk = this.queue[0];
      const n = Math.min(out.length - written, chunk.length - this.offset);
      out.set(chunk.subarray(this.offset, this.offset + n), written);
      written += n;
      this.offset += n;
      this.queued -= n;
      this.consumed += n;
      if (this.offset === chunk.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    out.fill(0, written);
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    // reported every ~20 ms even in silence: the page also paces its outgoing frames on these reports, which keep
    // coming when a background tab's timers are throttled
    this.sinceReport += out.length;
    if (written > 0 && !this.queued) {
      // ran dry: report now (a mark may wait for exactly this), and buffer again before the next audio
      this.playing = false;
      this.report();
    } else if (this.sinceReport >= this.reportEvery) this.report();
    return true;
  }
}

registerProcessor("capture", CaptureProcessor);
registerProcessor("player", PlayerProcessor);
