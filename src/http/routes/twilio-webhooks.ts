/**
 * Twilio's voice webhooks. incoming_call answers TwiML that connects the call's audio to /ws/twilio-media with a
 * short-lived stream token; stream_status and stream_ended always answer 204 and record the event on the call.
 * With TWILIO_AUTH_TOKEN set, signatures are checked against PUBLIC_BASE_URL + path: incoming_call rejects a bad one
 * (403); the callbacks still answer 204 but an unsigned one changes nothing.
 * A CallSid that is not `[A-Za-z0-9_-]{1,64}` is refused (400 on incoming_call, ignored by the callbacks). A replayed
 * incoming_call for a call that already streamed or ended is answered with <Hangup/>: nothing is reset or reopened.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { EV, log } from "../../log.ts";
import { publicBaseUrl } from "../../transports/twilio/base-url.ts";
import { isValidTwilioSignature } from "../../transports/twilio/signature.ts";
import { TWILIO_SID } from "../../transports/twilio/protocol.ts";
import { connectStreamTwiml, hangupTwiml } from "../../transports/twilio/twiml.ts";
import { validate } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";

const callSid = z.string().regex(TWILIO_SID, "must be 1–64 letters, digits, _ or -");
const incomingCall = z.object({
  CallSid: callSid,
  From: z.string().optional(),
  To: z.string().optional(),
  Direction: z.string().optional(),
  CallerName: z.string().optional(),
});
const streamStatus = z.object({ CallSid: callSid, StreamSid: z.string().regex(TWILIO_SID).optional(), StreamEvent: z.string().optional(), StreamError: z.string().optional() });

export async function form(c: Context<AppEnv>): Promise<Record<string, string>> {
  try {
    const body = await c.req.parseBody();
    return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  } catch {
    return {};
  }
}

/** True when no auth token is configured, or the signature matches the public URL of this request. */
export function signed(c: Context<AppEnv>, deps: HttpDeps, params: Record<string, string>): boolean {
  const token = deps.config.twilio.authToken;
  if (!token) return true;
  const u = new URL(c.req.url);
  const url = `${publicBaseUrl(deps.config.publicBaseUrl, c.req.raw)}${u.pathname}${u.search}`;
  return isValidTwilioSignature(token, c.req.header("x-twilio-signature"), url, params);
}

/** Keeps a callback's event on its call; these routes answer 204 whatever happens here. */
function record(deps: HttpDeps, callSid: string, event: string, data: Record<string, unknown>) {
  try {
    const calls = deps.services().calls;
    if (calls.bySid(callSid)) calls.event(callSid, event, undefined, data);
  } catch (err) {
    log.error(EV.CALL_RECORD_FAILED, { callSid, err });
  }
}

export function twilioWebhookRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>()
    .post("/incoming_call", async (c) => {
      const params = await form(c);
      if (!signed(c, deps, params)) {
        log.warn(EV.TWILIO_BAD_SIGNATURE, { path: c.req.path });
        throw new AppError("forbidden", "X-Twilio-Signature is missing or does not match (check PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN)");
      }
      const call = validate(incomingCall, params, "bad_request");
      const xml = { "content-type": "text/xml; charset=utf-8" };
      try {
        const calls = deps.services().calls;
        if (calls.hasStreamed(call.CallSid)) {
          log.warn(EV.CALL_REPLAYED, { callSid: call.CallSid });
          return c.body(hangupTwiml(), 200, xml);
        }
        calls.ringing(call.CallSid, { from: call.From, to: call.To, direction: call.Direction });
      } catch (err) {
        // the CRM being down must not leave the caller unanswered: the call goes on, unrecorded
        log.error(EV.CALL_RECORD_FAILED, { callSid: call.CallSid, err });
      }
      const base = publicBaseUrl(deps.config.publicBaseUrl, c.req.raw);
      const parameters: Record<string, string> = { call_sid: call.CallSid, token: deps.streamToken(call.CallSid) };
      if (call.From) parameters.from = call.From;
      if (call.To) parameters.to = call.To;
      log.info(EV.CALL_INCOMING, { callSid: call.CallSid, from: call.From, to: call.To });
      return c.body(connectStreamTwiml(base, parameters), 200, xml);
    })
    .post("/stream_status", async (c) => {
      const params = await form(c);
      const status = streamStatus.safeParse(params);
      if (status.success && signed(c, deps, params)) {
        const s = status.data;
        record(deps, s.CallSid, EV.TWILIO_STREAM_STATUS, { event: s.StreamEvent, streamSid: s.StreamSid, error: s.StreamError });
        if (s.StreamEvent === "stream-error") log.warn(EV.TWILIO_STREAM_ERROR, { callSid: s.CallSid, error: s.StreamError });
      }
      return c.body(null, 204);
    })
    .post("/stream_ended", async (c) => {
      const params = await form(c);
      if (params.CallSid && TWILIO_SID.test(params.CallSid) && signed(c, deps, params)) record(deps, params.CallSid, EV.TWILIO_STREAM_ENDED, { callStatus: params.CallStatus?.slice(0, 40) });
      return c.body(null, 204);
    });
}
