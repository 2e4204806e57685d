/**
 * The two Twilio REST calls a live call needs: redirect it to <Dial> (transfer to a human) and complete it
 * (hang up). Plain fetch with basic auth against TWILIO_API_URL (a stand-in in tests). Without an account SID and
 * auth token both answer false and the caller falls back (the socket is closed to hang up).
 */
import { EV, log } from "../../log.ts";
import { dialTwiml } from "./twiml.ts";

export interface TwilioRestOptions {
  apiUrl: string;
  accountSid?: string;
  authToken?: string;
  transferNumber?: string;
}

export class TwilioRest {
  constructor(private o: TwilioRestOptions) {}

  get configured(): boolean {
    return Boolean(this.o.accountSid && this.o.authToken);
  }

  get canTransfer(): boolean {
    return this.configured && Boolean(this.o.transferNumber);
  }

  private async updateCall(callSid: string, form: Record<string, string>): Promise<boolean> {
    if (!this.configured) return false;
    const url = `${this.o.apiUrl}/2010-04-01/Accounts/${this.o.accountSid}/Calls/${encodeURIComponent(callSid)}.json`;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${this.o.accountSid}:${this.o.authToken}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) log.warn(EV.TWILIO_REST_FAILED, { callSid, status: res.status, body: (await res.text()).slice(0, 300) });
      return res.ok;
    } catch (err) {
      log.warn(EV.TWILIO_REST_FAILED, { callSid, err: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }

  transfer(callSid: string): Promise<boolean> {
    if (!this.o.transferNumber) return Promise.resolve(false);
    log.info(EV.CALL_TRANSFERRING, { callSid, to: this.o.transferNumber });
    return this.updateCall(callSid, { Twiml: dialTwiml(this.o.transferNumber) });
  }

  hangup(callSid: string): Promise<boolean> {
    return this.updateCall(callSid, { Status: "completed" });
  }
}
