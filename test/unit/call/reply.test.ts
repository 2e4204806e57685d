import { expect, test } from "bun:test";
import { Reply } from "../../../src/call/reply.ts";

test("marks carry generation:index:ms; older generations are ignored", () => {
  const r = new Reply(3);
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
  const r = new Reply(1);
  r.add("One two three four.", new Uint8Array(8000)); // 0–1000 ms
  r.add("Five six seven eight.", new Uint8Array(8000)); // 1000–2000 ms
  r.echo("1:0:1000");
  r.firstFrameWall = 10_000;
  expect(r.heardMs(11_500)).toBe(1500);
  expect(r.heardText(1500)).toBe("One two three four. Five six…");
  expect(r.heardText(900)).toBe("One two three…");
  // the echoed mark is a floor even if the clock says less
  expect(r.heardMs(10_200)).toBe(1000);
});
