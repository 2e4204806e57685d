/** The backoff and the per-code reconnect policy, as pure functions of the close codes and the clock. */
import { expect, test } from "bun:test";
import { Backoff } from "../../../src/whatsapp/backoff.ts";
import { DEFAULT_POLICY, ReconnectPolicy, type CloseInfo } from "../../../src/whatsapp/reconnect-policy.ts";

const close = (code: number | undefined, o: Partial<CloseInfo> = {}): CloseInfo => ({ code, reason: "closed", registered: true, qrExpired: false, intentional: false, ...o });

test("backoff doubles from 1 s to the 5 min cap, jitter within ±20 %, never below 0.8 s", () => {
  for (const r of [0, 0.5, 0.999]) {
    const b = new Backoff(undefined, () => r);
    const delays = Array.from({ length: 14 }, () => b.next());
    delays.forEach((d, n) => {
      const nominal = Math.min(300_000, 1000 * 2 ** n);
      expect(d).toBeGreaterThanOrEqual(Math.min(nominal * 0.8, 300_000));
      expect(d).toBeLessThanOrEqual(Math.min(nominal * 1.2, 300_000));
    });
    expect(delays.at(-1)).toBeLessThanOrEqual(300_000);
    expect(delays.at(-1)).toBeGreaterThanOrEqual(240_000);
  }
  const b = new Backoff(undefined, () => 0.5);
  b.next();
  b.next();
  b.reset();
  expect(b.next()).toBe(1000);
});

test("515 reconnects at once, but only 3 times a minute; then it backs off", () => {
  const p = new ReconnectPolicy(DEFAULT_POLICY, () => 0.5);
  const t = 1_000_000;
  expect([0, 1, 2].map((i) => p.closed(close(515), t + i * 1000))).toEqual(Array(3).fill(expect.objectContaining({ action: "reconnect", delayMs: 0 })));
  expect(p.closed(close(515), t + 3000)).toMatchObject({ action: "reconnect", delayMs: 1000 });
  expect(p.closed(close(515), t + 4000)).toMatchObject({ action: "reconnect", delayMs: 2000 });
  // a minute later the window is clear again
  expect(p.closed(close(515), t + 70_000)).toMatchObject({ action: "reconnect", delayMs: 0 });
});

test("401 wipes; a linked session gets one new QR after a delay, a never-linked one stops (no wipe–connect–401 loop)", () => {
  const p = new ReconnectPolicy(DEFAULT_POLICY, () => 0.5);
  const linked = p.closed(close(401, { registered: true }));
  expect(linked).toMatchObject({ action: "wipe", delayMs: 1000 });
  expect(linked.reason).toContain("logged this device out");
  expect(p.closed(close(401, { registered: false }))).toEqual({ action: "wipe", delayMs: undefined, reason: expect.any(String) });
});

test("440 backs off hard (30 s, 60 s) and stops after 3 in a row", () => {
  const p = new ReconnectPolicy(DEFAULT_POLICY, () => 0.5);
  expect(p.closed(close(440))).toMatchObject({ action: "reconnect", delayMs: 30_000 });
  expect(p.closed(close(440))).toMatchObject({ action: "reconnect", delayMs: 60_000 });
  const third = p.closed(close(440));
  expect(third.action).toBe("stop");
  expect(third.reason).toContain("another WhatsApp Web session");
  // another code in between breaks the streak
  const q = new ReconnectPolicy(DEFAULT_POLICY, () => 0.5);
  q.closed(close(440));
  q.closed(close(428));
  expect(q.closed(close(440))).toMatchObject({ action: "reconnect", delayMs: 30_000 });
});

test("405 refreshes the WA Web version and reconnects with backoff; 408/428/503 back off; 403/411/500 stop", () => {
  const p = new ReconnectPolicy(DEFAULT_POLICY, () => 0.5);
  expect(p.closed(close(405))).toMatchObject({ action: "reconnect", refreshVersion: true, delayMs: 1000 });
  expect(p.closed(close(408))).toMatchObject({ action: "reconnect", delayMs: 2000 });
  expect(p.closed(close(428))).toMatchObject({ action: "reconnect", delayMs: 4000 });
  expect(p.closed(close(503))).toMatchObject({ action: "reconnect", delayMs: 8000 });
  expect(p.closed(close(undefined))).toMatchObject({ action: "reconnect", delayMs: 16_000 });
  for (const code of [403, 411, 500]) expect(new ReconnectPolicy().closed(close(code)).action).toBe("stop");
});

test("an unscanned QR session stops instead of cycling QR codes forever; an intentional close never reconnects", () => {
  const p = new ReconnectPolicy();
  expect(p.closed(close(408, { registered: false, qrExpired: true })).action).toBe("stop");
  expect(p.closed(close(428, { intentional: true })).action).toBe("stop");
});

test("the counters reset only after a connection stayed open for stableMs", () => {
  const p = new ReconnectPolicy(DEFAULT_POLICY, () => 0.5);
  let t = 0;
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    p.opened(t);
    t += 5_000; // open 5 s, then dropped: still unhealthy
    const d = p.closed(close(428), t);
    delays.push(d.action === "reconnect" ? d.delayMs : -1);
  }
  expect(delays).toEqual([1000, 2000, 4000, 8000]);
  p.opened(t);
  expect(p.closed(close(428), t + 61_000)).toMatchObject({ delayMs: 1000 });
});

test("whatever the codes, no reconnect but the first 515s comes sooner than the base delay", () => {
  const codes = [401, 403, 405, 408, 411, 428, 440, 500, 503, 515, 999, undefined];
  for (let seed = 0; seed < 50; seed++) {
    const p = new ReconnectPolicy();
    let t = 0;
    const immediate: number[] = [];
    for (let i = 0; i < 200; i++) {
      const code = codes[(seed * 7 + i * 13) % codes.length];
      const d = p.closed(close(code, { registered: i % 3 !== 0 }), t);
      if (d.action === "reconnect" || (d.action === "wipe" && d.delayMs !== undefined)) {
        const delay = d.delayMs!;
        if (delay === 0) immediate.push(t);
        else expect(delay).toBeGreaterThanOrEqual(800);
        t += delay;
      } else {
        p.reset();
        t += 60_000;
      }
      t += 10;
    }
    // never more than 3 immediate reconnects within any 60 s of simulated time
    for (const at of immediate) expect(immediate.filter((x) => x > at - 60_000 && x <= at).length).toBeLessThanOrEqual(3);
  }
});
