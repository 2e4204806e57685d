/**
 * The admin app's browser test call, over the very path a phone call takes:
 *   POST /api/test-calls                  → 201 {callSid, streamUrl, token}: a new call record (`ringing`, marked
 *                                           isTest), the stream token the TwiML would carry, and the media
 *                                           WebSocket's URL built as the TwiML builds it. The browser then speaks
 *                                           Twilio's media-stream protocol on it with that token.
 *   POST /api/test-calls/:callSid/say     {text} → 202: a typed turn — the live call takes the text as the
 *                                           recognizer's final for a complete utterance.
 * Any signed-in user may place one. Limits, checked and taken synchronously so parallel requests cannot pass them:
 * MAX_LIVE_PER_USER test calls live (or still able to connect) per user, MAX_LIVE_TOTAL on the server,
 * STARTS_PER_WINDOW new ones per user per window, SAYS_PER_MINUTE typed turns per call. Only the user who placed a
 * test call may type into it (anyone else: 404, as if it did not exist); its live events go to that user too.
 */
import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import { z } from "zod";
import { STREAM_TOKEN_TTL_MS } from "../../auth/stream-token.ts";
import { FailureLimiter } from "../../auth/rate-limit.ts";
import { AppError } from "../../errors.ts";
import { EV, log } from "../../log.ts";
import { publicBaseUrl, websocketUrl } from "../../transports/twilio/base-url.ts";
import { MEDIA_PATH } from "../../transports/twilio/twiml.ts";
import { audit } from "../actor.ts";
import { readJson } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";

export const MAX_LIVE_PER_USER = 3;
export const MAX_LIVE_TOTAL = 10;
export const STARTS_PER_WINDOW = 20;
const START_WINDOW_MS = 10 * 60_000;
export const SAYS_PER_MINUTE = 30;
/** A typed turn is one utterance, not a document. */
export const MAX_SAY_CHARS = 500;

const sayBody = z.object({ text: z.string().trim().min(1, "is required").max(MAX_SAY_CHARS, `must be at most ${MAX_SAY_CHARS} characters`) });

/** `TC` + 32 hex: Twilio's CallSid shape with a prefix of its own, so a test call is recognisable in any log. */
export const newTestCallSid = () => `TC${randomBytes(16).toString("hex")}`;

interface Placed {
  userId: number;
  /** ms since the epoch the call was created (its stream token is valid STREAM_TOKEN_TTL_MS from then). */
  at: number;
}

/** The test calls placed through this server that are live, or may still connect. */
class TestCallBook {
  private placed = new Map<string, Placed>();

  constructor(
    private live: (callSid: string) => boolean,
    private streamed: (callSid: string) => boolean,
    private now: () => number = Date.now,
  ) {}

  /** Forgets calls that are over, or whose token lapsed before they connected. */
  private prune(): void {
    for (const [sid, p] of this.placed) {
      const waiting = this.now() - p.at < STREAM_TOKEN_TTL_MS && !this.streamed(sid);
      if (!waiting && !this.live(sid)) this.placed.delete(sid);
    }
  }

  /** Records a new call for `userId` unless a limit says no (synchronous: check and record cannot interleave). */
  place(callSid: string, userId: number): void {
    this.prune();
    const mine = [...this.placed.values()].filter((p) => p.userId === userId).length;
    if (mine >= MAX_LIVE_PER_USER) throw new AppError("rate_limited", `at most ${MAX_LIVE_PER_USER} test calls at once per user; hang up one first`, undefined, { "Retry-After": "10" });
    if (this.placed.size >= MAX_LIVE_TOTAL) throw new AppError("rate_limited", `the server already runs ${MAX_LIVE_TOTAL} test calls; try again in a minute`, undefined, { "Retry-After": "30" });
    this.placed.set(callSid, { userId, at: this.now() });
  }

  /** Gives the place back (the call record could not be created). */
  forget(callSid: string): void {
    this.placed.delete(callSid);
  }

  placedBy(callSid: string): number | undefined {
    return this.placed.get(callSid)?.userId;
  }
}

function closeIfNeverConnected(deps: HttpDeps, callSid: string): void {
  try {
    const calls = deps.services().calls;
    if (!calls.hasStreamed(callSid)) calls.ended(callSid, { outcome: "not_connected", status: "failed" });
  } catch (err) {
    log.error(EV.CALL_RECORD_FAILED, { callSid, err });
  }
}

export function testCallRoutes(deps: HttpDeps) {
  const isLive = (sid: string) => deps.liveCalls?.has(sid) ?? false;
  const book = new TestCallBook(isLive, (sid) => deps.services().calls.hasStreamed(sid));
  const starts = new FailureLimiter(STARTS_PER_WINDOW, START_WINDOW_MS);
  const says = new FailureLimiter(SAYS_PER_MINUTE, 60_000);

  return new Hono<AppEnv>()
    .post("/", (c) => {
      const user = c.get("user");
      const calls = deps.services().calls; // 503 before anything is counted when the database is down
      const started = starts.take(`user:${user.id}`);
      if (!started.ok) throw new AppError("rate_limited", `at most ${STARTS_PER_WINDOW} test calls per ${START_WINDOW_MS / 60_000} minutes; try again in ${started.retryAfterS} s`, undefined, { "Retry-After": String(started.retryAfterS) });
      const callSid = newTestCallSid();
      try {
        book.place(callSid, user.id);
      } catch (err) {
        starts.release(`user:${user.id}`, started.attempt);
        throw err;
      }
      try {
        calls.ringing(callSid, { isTest: true });
      } catch (err) {
        book.forget(callSid);
        throw err;
      }
      // the call's live events (it has no contact of the user's) reach the user who placed it
      deps.adminHub.follow(callSid, user.id);
      // a page closed before it connected leaves no call "ringing" for ever: once its token has lapsed, it is over
      setTimeout(() => closeIfNeverConnected(deps, callSid), STREAM_TOKEN_TTL_MS + 1000).unref();
      audit(c, deps, "call.test", callSid);
      log.info(EV.TEST_CALL_CREATED, { callSid, userId: user.id });
      const streamUrl = websocketUrl(publicBaseUrl(deps.config.publicBaseUrl, c.req.raw), MEDIA_PATH);
      return c.json({ callSid, streamUrl, token: deps.streamToken(callSid) }, 201);
    })
    .post("/:callSid/say", async (c) => {
      const { text } = await readJson(c, sayBody);
      const callSid = c.req.param("callSid");
      if (book.placedBy(callSid) !== c.get("user").id) throw new AppError("not_found", `no test call ${callSid.slice(0, 80)} of yours`);
      if (!isLive(callSid)) throw new AppError("conflict", "the test call is not connected (it has not started yet, or it is over)");
      const taken = says.take(callSid);
      if (!taken.ok) throw new AppError("rate_limited", `at most ${SAYS_PER_MINUTE} typed turns a minute`, undefined, { "Retry-After": String(taken.retryAfterS) });
      if (!deps.liveCalls!.typed(callSid, text)) throw new AppError("conflict", "the call cannot take a typed turn now (it is ending, or taking a voicemail)");
      log.info(EV.TEST_CALL_TYPED, { callSid, chars: text.length });
      return c.json({ callSid, accepted: true }, 202);
    });
}
