import { expect, test } from "bun:test";
import { Reply } from "../../../src/call/reply.ts";
import { fixedTurn } from "../../../src/dialog/conversation.ts";

const turn = fixedTurn([]);

test("marks carry generation:index:ms; older generations are ignored", () => {
  const r = new Reply(3, turn, "answer");
  expect(r.add("Hello there.", new Uint8Array(8000))).toBe("3:0:1000");
  expect(r.add("How can I help?", new Uint8Array(4000))).toBe("3:1:1500");
  expect(r.echo("2:0:1000")).toBe(false);
  expect(r.echo("3:0:1000")).toBe(true);
  expect(r.finished).toBe(false);
  r.allQueued = true;
  r.echo("3:1:1500");
  expect(r.finished).toBe(true);
});

test("what the caller heard: whole sentences, then the heard share of the cut one", () => {
  const r = new Reply(1, turn, "answer");
  r.add("One two three four.", new Uint8Array(8000)); // 0–1000 ms
  r.add("Five six seven eight.", new Uint8Array(8000)); // 1000–2000 ms
  r.echo("1:0:1000");
  r.firstFrameAt = 10_000;
  expect(r.heardMs(11_500)).toBe(1500);
  expect(r.heardText(1500)).toBe("One two three four. Five six…");
  expect(r.heardText(900)).toBe("One two three…");
  // the echoed mark is a floor even if the clock says less
  expect(r.heardMs(10_200)).toBe(1000);
});

test("holding lines are heard (transcript) but are not part of the answer (dialog history)", () => {
  const r = new Reply(2, turn, "answer");
  r.add("One moment, please.", new Uint8Array(8000), true);
  r.add("We open at nine.", new Uint8Array(8000));
  expect(r.heardText(2000)).toBe("One moment, please. We open at nine.");
  expect(r.heardText(2000, true)).toBe("We open at nine.");
  expect(r.heardText(900, true)).toBe("");
});

test("a late answer after a holding line: the quiet between them is not counted as heard", () => {
  const r = new Reply(4, turn, "answer");
  r.firstFrameAt = 10_000; // the holding line starts
  r.add("One moment, please.", new Uint8Array(8000), true, undefined, 10_000); // 1 s of audio
  r.add("We open at nine.", new Uint8Array(16000), false, 0, 15_000); // 4 s of quiet, then 2 s of answer
  // cut 500 ms into the answer: 1.5 s of audio heard, not the 6.5 s since the first frame
  expect(r.heardMs(15_500)).toBe(1500);
  expect(r.heardText(r.heardMs(15_500), true)).toBe("We…");
});

test("what was not heard in full, from the sentence cut off on, including sentences produced but not yet spoken", () => {
  const r = new Reply(5, turn, "answer");
  r.produced.push("One two.", "Three four.", "Five six.");
  r.add("One two.", new Uint8Array(8000), false, 0);
  r.add("Three four.", new Uint8Array(8000), false, 1);
  expect(r.unheard(1500)).toEqual(["Three four.", "Five six."]);
  expect(r.unheard(2000)).toEqual(["Five six."]);
  expect(r.unheard(0)).toEqual(["One two.", "Three four.", "Five six."]);
});
