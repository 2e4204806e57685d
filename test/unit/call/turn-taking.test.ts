/** Turn-taking scenarios driven frame by frame with scripted VAD verdicts and transcripts. */
import { describe, expect, test } from "bun:test";
import { TurnTaker, type Utterance } from "../../../src/call/turn-taker.ts";

function rig(o: { eouSilenceMs?: number; bargeInMs?: number } = {}) {
  const utterances: Utterance[] = [];
  const bargeIns: Array<{ state: string; speechMs: number }> = [];
  const tt = new TurnTaker({
    eouSilenceMs: o.eouSilenceMs ?? 500,
    bargeInMs: o.bargeInMs ?? 200,
    onUtterance: (u) => utterances.push(u),
    onBargeIn: (b) => bargeIns.push(b),
  });
  const run = (ms: number, voiced: boolean) => {
    for (let t = 0; t < ms; t += 20) tt.frame(voiced);
  };
  const final = (text: string) => tt.transcript({ text, isFinal: true, stability: 0, endMs: tt.now });
  const interim = (text: string, stability = 0.8) => tt.transcript({ text, isFinal: false, stability, endMs: tt.now });
  return { tt, utterances, bargeIns, run, final, interim };
}

describe("end of utterance", () => {
  test("fires after EOU_SILENCE_MS of silence once a final exists, measuring the silence", () => {
    const r = rig();
    r.run(1000, true);
    r.run(300, false);
    r.final("hello there");
    r.run(180, false);
    expect(r.utterances).toHaveLength(0);
    r.run(20, false);
    expect(r.utterances).toHaveLength(1);
    expect(r.utterances[0]).toMatchObject({ text: "hello there", silenceMs: 500, fromInterim: false });
    expect(r.tt.state).toBe("thinking");
  });

  test("a final that arrives after the silence window ends the utterance at once", () => {
    const r = rig({ eouSilenceMs: 300 });
    r.run(800, true);
    r.run(700, false);
    expect(r.utterances).toHaveLength(0);
    r.final("late final");
    expect(r.utterances.map((u) => u.text)).toEqual(["late final"]);
    expect(r.utterances[0]!.silenceMs).toBe(700);
  });

  test("with no final, the latest interim is used after the grace period", () => {
    const r = rig();
    r.run(600, true);
    r.interim("book a table");
    r.run(780, false);
    expect(r.utterances).toHaveLength(0);
    r.run(40, false);
    expect(r.utterances[0]).toMatchObject({ text: "book a table", fromInterim: true });
  });

  test("the latest stable interim is preferred to a later unstable one", () => {
    const r = rig();
    r.run(600, true);
    r.interim("I want to order a pizza", 0.9);
    r.interim("I want to order a pizza with", 0.1);
    r.run(820, false);
    expect(r.utterances[0]).toMatchObject({ text: "I want to order a pizza", fromInterim: true });
  });

  test("a pause shorter than the window does not end the turn; finals accumulate", () => {
    const r = rig();
    r.run(600, true);
    r.final("I need");
    r.run(300, false);
    r.run(600, true);
    r.final("a plumber");
    r.run(500, false);
    expect(r.utterances.map((u) => u.text)).toEqual(["I need a plumber"]);
  });

  test("speech with no transcript at all is dropped as noise", () => {
    const r = rig();
    r.run(400, true);
    r.run(3000, false);
    expect(r.utterances).toHaveLength(0);
    r.final("real words");
    expect(r.utterances.map((u) => u.text)).toEqual(["real words"]);
  });

  test("clicks shorter than the minimum speech do not start an utterance", () => {
    const r = rig();
    for (let i = 0; i < 20; i++) {
      r.run(40, true);
      r.run(200, false);
    }
    r.interim("noise");
    r.run(2000, false);
    expect(r.utterances).toHaveLength(0);
  });
});

describe("one reply per utterance", () => {
  test("a final sent twice gets one reply", () => {
    const r = rig();
    r.run(800, true);
    r.run(300, false);
    r.final("hello");
    r.final("hello");
    r.run(400, false);
    r.tt.replyStarted();
    r.tt.replyDone();
    r.final("hello");
    r.run(1000, false);
    expect(r.utterances.map((u) => u.text)).toEqual(["hello"]);
  });

  test("the same final again with a later end time is not added twice", () => {
    const r = rig();
    r.run(800, true);
    r.run(200, false);
    r.final("what are your hours"); // ends at 1000 ms
    r.run(40, false);
    r.final("what are your hours"); // the recognizer repeats it, ending at 1040 ms
    r.run(500, false);
    expect(r.utterances.map((u) => u.text)).toEqual(["what are your hours"]);
  });

  test("a different final after the first one, even right after it, is added", () => {
    const r = rig();
    r.run(800, true);
    r.run(200, false);
    r.final("what are your hours");
    r.run(40, false);
    r.final("on Friday");
    r.run(500, false);
    expect(r.utterances.map((u) => u.text)).toEqual(["what are your hours on Friday"]);
  });

  test("the final after the interim that was answered is not answered again", () => {
    const r = rig();
    r.run(800, true);
    r.interim("what are your hours");
    r.run(900, false);
    expect(r.utterances).toHaveLength(1);
    r.final("what are your hours today"); // arrives while THINKING
    r.tt.replyStarted();
    r.tt.replyDone();
    r.final("what are your hours today"); // and again once LISTENING
    r.run(2000, false);
    expect(r.utterances).toHaveLength(1);
  });

  test("a backchannel said over the agent without barging in is not a turn", () => {
    const r = rig();
    r.tt.speakUnprompted();
    r.run(500, false);
    r.run(100, true); // "uh-huh", shorter than barge-in
    r.run(400, false);
    r.tt.replyDone();
    r.final("uh huh");
    r.run(1000, false);
    expect(r.utterances).toHaveLength(0);
    expect(r.bargeIns).toHaveLength(0);
  });

  test("new speech after a reply is a new turn", () => {
    const r = rig();
    r.run(600, true);
    r.run(200, false);
    r.final("first");
    r.run(400, false);
    r.tt.replyStarted();
    r.tt.replyDone();
    r.run(600, true);
    r.run(200, false);
    r.final("second");
    r.run(400, false);
    expect(r.utterances.map((u) => u.text)).toEqual(["first", "second"]);
  });
});

describe("barge-in", () => {
  test("BARGE_IN_MS of speech while SPEAKING interrupts; less does not; a long pause starts the count again", () => {
    const r = rig();
    r.tt.speakUnprompted();
    r.run(180, true);
    r.run(300, false); // a pause of 300 ms: the 180 ms before it no longer count
    expect(r.bargeIns).toHaveLength(0);
    r.run(180, true);
    expect(r.bargeIns).toHaveLength(0);
    r.run(20, true);
    expect(r.bargeIns).toEqual([{ state: "speaking", speechMs: 200 }]);
    expect(r.tt.state).toBe("listening");
    // the interrupting speech is the start of the next utterance
    r.run(400, true);
    r.run(300, false);
    r.final("stop, I have a question");
    r.run(300, false);
    expect(r.utterances.map((u) => u.text)).toEqual(["stop, I have a question"]);
  });

  test("speech is counted across the short pauses between words: 'wait, wait' interrupts", () => {
    const r = rig();
    r.tt.speakUnprompted();
    r.run(120, true); // "wait,"
    r.run(200, false);
    expect(r.bargeIns).toHaveLength(0);
    r.run(80, true); // "wa…": 200 ms of speech in all
    expect(r.bargeIns).toEqual([{ state: "speaking", speechMs: 200 }]);
  });

  test("speech while THINKING barges in and the unanswered text is carried into the next utterance", () => {
    const r = rig();
    r.run(600, true);
    r.run(100, false);
    r.final("I want to book");
    r.run(400, false);
    expect(r.tt.state).toBe("thinking");
    r.run(200, true);
    expect(r.bargeIns[0]!.state).toBe("thinking");
    r.tt.carryOver(r.utterances[0]!.text);
    r.run(400, true);
    r.run(100, false);
    r.final("a table for two");
    r.run(400, false);
    expect(r.utterances[1]).toMatchObject({ text: "I want to book a table for two", newText: "a table for two" });
  });

  test("a barge-in that brings no transcript within the window + grace is a false interruption", () => {
    const r = rig();
    const falses: Array<{ state: string; carried: boolean }> = [];
    const tt = new TurnTaker({ eouSilenceMs: 500, bargeInMs: 200, onUtterance: (u) => r.utterances.push(u), onBargeIn: () => {}, onFalseBargeIn: (f) => falses.push(f) });
    tt.speakUnprompted();
    for (let t = 0; t < 300; t += 20) tt.frame(true); // a cough
    expect(tt.state).toBe("listening");
    for (let t = 0; t < 780; t += 20) tt.frame(false);
    expect(falses).toHaveLength(0);
    tt.frame(false); // 800 ms of silence: 500 + the 300 ms grace
    expect(falses).toEqual([{ state: "speaking", carried: false }]);
    expect(r.utterances).toHaveLength(0);
  });

  test("words that arrive after the barge-in was taken for a noise (a slow recognizer) interrupt the resumed agent and are answered", () => {
    const falses: unknown[] = [];
    const bargeIns: string[] = [];
    const utterances: Utterance[] = [];
    const tt = new TurnTaker({ eouSilenceMs: 500, bargeInMs: 200, onUtterance: (u) => utterances.push(u), onBargeIn: (b) => bargeIns.push(b.state), onFalseBargeIn: (f) => falses.push(f) });
    tt.speakUnprompted();
    for (let t = 0; t < 300; t += 20) tt.frame(true); // "wait" — the recognizer says nothing yet
    const spokeUntil = tt.now;
    for (let t = 0; t < 800; t += 20) tt.frame(false);
    expect(falses).toHaveLength(1);
    tt.speakUnprompted(); // the agent resumed
    for (let t = 0; t < 400; t += 20) tt.frame(false);
    tt.transcript({ text: "wait", isFinal: true, stability: 0, endMs: spokeUntil });
    expect(bargeIns).toEqual(["speaking", "speaking"]);
    expect(utterances.map((u) => u.text)).toEqual(["wait"]);
    // another noise over the next reply; a transcript more than 3 s after it was judged does not interrupt
    tt.speakUnprompted();
    for (let t = 0; t < 300; t += 20) tt.frame(true);
    for (let t = 0; t < 800; t += 20) tt.frame(false);
    expect(falses).toHaveLength(2);
    tt.speakUnprompted();
    for (let t = 0; t < 3100; t += 20) tt.frame(false);
    tt.transcript({ text: "stale words", isFinal: true, stability: 0, endMs: tt.now - 3000 });
    expect(bargeIns).toEqual(["speaking", "speaking", "speaking"]);
    expect(tt.state).toBe("speaking");
    expect(utterances).toHaveLength(1);
  });

  test("a barge-in whose speech brings an interim is a real one (answered, no false interruption)", () => {
    const falses: unknown[] = [];
    const utterances: Utterance[] = [];
    const tt = new TurnTaker({ eouSilenceMs: 500, bargeInMs: 200, onUtterance: (u) => utterances.push(u), onBargeIn: () => {}, onFalseBargeIn: (f) => falses.push(f) });
    tt.speakUnprompted();
    for (let t = 0; t < 300; t += 20) tt.frame(true);
    tt.transcript({ text: "wait", isFinal: false, stability: 0.8, endMs: tt.now });
    for (let t = 0; t < 2000; t += 20) tt.frame(false);
    expect(falses).toHaveLength(0);
    expect(utterances.map((u) => u.text)).toEqual(["wait"]);
  });

  test("noise after a THINKING barge-in: the carried words are answered on their own", () => {
    const falses: Array<{ state: string; carried: boolean }> = [];
    const utterances: Utterance[] = [];
    const tt = new TurnTaker({ eouSilenceMs: 500, bargeInMs: 200, onUtterance: (u) => utterances.push(u), onBargeIn: () => tt.carryOver(utterances[0]!.text), onFalseBargeIn: (f) => falses.push(f) });
    for (let t = 0; t < 600; t += 20) tt.frame(true);
    tt.transcript({ text: "I want to book", isFinal: true, stability: 0, endMs: tt.now });
    for (let t = 0; t < 500; t += 20) tt.frame(false);
    expect(tt.state).toBe("thinking");
    for (let t = 0; t < 300; t += 20) tt.frame(true); // a door
    for (let t = 0; t < 800; t += 20) tt.frame(false);
    expect(falses).toEqual([{ state: "thinking", carried: true }]);
    expect(utterances.map((u) => [u.text, u.newText])).toEqual([
      ["I want to book", "I want to book"],
      ["I want to book", ""],
    ]);
    expect(tt.state).toBe("thinking");
  });

  test("BARGE_IN_MS is configurable", () => {
    const r = rig({ bargeInMs: 400 });
    r.tt.speakUnprompted();
    r.run(380, true);
    expect(r.bargeIns).toHaveLength(0);
    r.run(20, true);
    expect(r.bargeIns).toHaveLength(1);
  });
});
