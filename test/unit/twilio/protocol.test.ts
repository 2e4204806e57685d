import { expect, test } from "bun:test";
import { streamToken, verifyStreamToken } from "../../../src/auth/stream-token.ts";
import { publicBaseUrl, websocketUrl } from "../../../src/transports/twilio/base-url.ts";
import { clearMessage, decodePayload, markMessage, mediaMessage, parseInbound } from "../../../src/transports/twilio/protocol.ts";
import { isValidTwilioSignature } from "../../../src/transports/twilio/signature.ts";
import { connectStreamTwiml } from "../../../src/transports/twilio/twiml.ts";
import { readStreamTwiml } from "../../../src/sim/twiml-read.ts";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";

test("parses Twilio's documented messages; unknown events are ignored, junk is classified", () => {
  const start = parseInbound(
    JSON.stringify({
      event: "start",
      sequenceNumber: "1",
      streamSid: "MZ1",
      start: { accountSid: "AC1", streamSid: "MZ1", callSid: "CA1", tracks: ["inbound"], customParameters: { call_sid: "CA1" }, mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 } },
    }),
  );
  expect(start.ok).toBe(true);
  expect(parseInbound('{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"0"}}').ok).toBe(true);
  expect(parseInbound('{"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"1:0:500"}}').ok).toBe(true);
  expect(parseInbound('{"event":"stop","sequenceNumber":"9","streamSid":"MZ1","stop":{"accountSid":"AC1","callSid":"CA1"}}').ok).toBe(true);
  expect(parseInbound('{"event":"connected","protocol":"Call","version":"1.0.0"}').ok).toBe(true);
  expect(parseInbound('{"event":"something-new"}')).toEqual({ ok: "ignored", event: "something-new" });
  expect(parseInbound("not json")).toEqual({ ok: false, reason: "not_json" });
  expect(parseInbound(new Uint8Array([1, 2]))).toEqual({ ok: false, reason: "binary" });
  expect(parseInbound('{"event":"media","media":{}}')).toMatchObject({ ok: false, reason: "invalid" });
  expect(parseInbound('{"event":"start","streamSid":"MZ1","start":{}}')).toMatchObject({ ok: false, reason: "invalid" });
});

test("payloads: 160 bytes of base64; another size is flagged but kept; junk is classified", () => {
  expect(decodePayload(Buffer.alloc(160, 0xff).toString("base64"))).toMatchObject({ ok: true, wrongSize: false });
  const odd = decodePayload(Buffer.alloc(100).toString("base64"));
  expect(odd).toMatchObject({ ok: true, wrongSize: true });
  expect(odd.ok && odd.audio.length).toBe(100);
  expect(decodePayload("@@@not base64@@@")).toEqual({ ok: false, reason: "bad_base64" });
  expect(decodePayload("")).toEqual({ ok: false, reason: "empty" });
});

test("outbound messages are exactly Twilio's shapes", () => {
  expect(JSON.parse(mediaMessage("MZ1", new Uint8Array(160).fill(0xff)))).toEqual({ event: "media", streamSid: "MZ1", media: { payload: Buffer.alloc(160, 0xff).toString("base64") } });
  expect(JSON.parse(markMessage("MZ1", "a"))).toEqual({ event: "mark", streamSid: "MZ1", mark: { name: "a" } });
  expect(JSON.parse(clearMessage("MZ1"))).toEqual({ event: "clear", streamSid: "MZ1" });
});

test("TwiML: Connect action, wss Stream url without query, statusCallback, parameters", () => {
  const xml = connectStreamTwiml("https://agent.example.com", { call_sid: "CA9", token: "1.a&b" });
  expect(xml).toContain('<Connect action="https://agent.example.com/webhook/stream_ended">');
  expect(xml).toContain('<Stream url="wss://agent.example.com/ws/twilio-media" statusCallback="https://agent.example.com/webhook/stream_status">');
  expect(xml).toContain('<Parameter name="call_sid" value="CA9"/>');
  const read = readStreamTwiml(xml);
  expect(read.parameters).toEqual({ call_sid: "CA9", token: "1.a&b" });
  expect(read.streamUrl).not.toContain("?");
  expect(readStreamTwiml(connectStreamTwiml("http://127.0.0.1:3000", {})).streamUrl).toBe("ws://127.0.0.1:3000/ws/twilio-media");
  expect(websocketUrl("https://x.example.com/agent/", "/ws/twilio-media")).toBe("wss://x.example.com/agent/ws/twilio-media");
});

test("base URL: PUBLIC_BASE_URL wins; else forwarded proto/host; else the request", () => {
  const req = new Request("http://10.0.0.5:3000/webhook/incoming_call", { headers: { "x-forwarded-proto": "https", host: "agent.example.com" } });
  expect(publicBaseUrl("https://configured.example.com", req)).toBe("https://configured.example.com");
  expect(publicBaseUrl(undefined, req)).toBe("https://agent.example.com");
  expect(publicBaseUrl(undefined, new Request("http://127.0.0.1:4000/x"))).toBe("http://127.0.0.1:4000");
});

test("stream token: valid for its CallSid for 2 minutes only", () => {
  const now = 1_800_000_000_000;
  const token = streamToken("secret-secret-secret", "CA1", now);
  expect(verifyStreamToken("secret-secret-secret", "CA1", token, now + 119_000)).toBe(true);
  expect(verifyStreamToken("secret-secret-secret", "CA1", token, now + 121_000)).toBe(false);
  expect(verifyStreamToken("secret-secret-secret", "CA2", token, now)).toBe(false);
  expect(verifyStreamToken("other-secret-here!", "CA1", token, now)).toBe(false);
  expect(verifyStreamToken("secret-secret-secret", "CA1", undefined, now)).toBe(false);
  expect(verifyStreamToken("secret-secret-secret", "CA1", `${now + 999_999}.${token.split(".")[1]}`, now)).toBe(false);
});

test("signature check with twilio's algorithm against the public URL", () => {
  const params = { CallSid: "CA1", From: "+972501234567" };
  const url = "https://agent.example.com/webhook/incoming_call";
  const sig = getExpectedTwilioSignature("tok3n-tok3n", url, params);
  expect(isValidTwilioSignature("tok3n-tok3n", sig, url, params)).toBe(true);
  expect(isValidTwilioSignature("tok3n-tok3n", sig, "http://10.0.0.5:3000/webhook/incoming_call", params)).toBe(false);
  expect(isValidTwilioSignature("tok3n-tok3n", undefined, url, params)).toBe(false);
  expect(isValidTwilioSignature("tok3n-tok3n", sig, url, { ...params, From: "+1" })).toBe(false);
});
