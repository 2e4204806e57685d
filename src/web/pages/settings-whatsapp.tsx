/**
 * /app/admin/settings/whatsapp: linking the business's WhatsApp. The state and its reason, kept live from
 * `whatsapp.state` events (the QR itself is fetched from GET /api/whatsapp/status — it never rides the live feed);
 * the QR while waiting, or an 8-character code for a phone number; unlink; connect again; and WhatsApp's own limits
 * on the account (reachout time lock, new-chat message capping) explained.
 */
import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api.ts";
import { dateTime as when } from "../format.ts";
import { useLiveReload } from "../hooks.ts";
import { t, type Key } from "../i18n.ts";
import { canManage } from "../session.ts";
import { buttonClass, Card, ErrorLine, Loading, PageHeader, Phone } from "../ui.tsx";

type WaState = "disabled" | "starting" | "qr" | "pairing" | "ok" | "err";

interface Status {
  state: WaState;
  reason: string;
  since: string;
  qrSvg?: string;
  pairingCode?: string;
  me?: string;
  restrictions: {
    reachoutTimeLock?: { active: boolean; until?: string; type?: string };
    messageCapping?: { status: string; used?: number; total?: number; cycleEnd?: string };
  };
  nextAttemptAt?: string;
  workerRestarts: number;
  channels: { baileys: boolean; twilio: boolean };
}

const STATE_STYLE: Record<WaState, string> = {
  disabled: "bg-slate-200 text-slate-800",
  starting: "bg-amber-100 text-amber-900",
  qr: "bg-sky-100 text-sky-900",
  pairing: "bg-sky-100 text-sky-900",
  ok: "bg-green-100 text-green-900",
  err: "bg-red-100 text-red-900",
};

/** The SVG as an image (data: URL): shown, never run — whatever it contained. */
const svgImage = (svg: string) => `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;
/** A sentence with `{}` where a configuration value goes (kept left-to-right inside Hebrew). */
function withCode(text: string, code: string) {
  const [before, after] = text.split("{}");
  return (
    <>
      {before}
      <code dir="ltr" class="rounded bg-slate-100 px-1 text-[0.85em]">
        {code}
      </code>
      {after}
    </>
  );
}

const BUTTON = buttonClass("secondary");

export function WhatsappSettingsPage() {
  const [status, setStatus] = useState<Status>();
  const admin = canManage.value;
  const [error, setError] = useState<string>();
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState<string>();
  const [busy, setBusy] = useState<"pair" | "logout" | "connect">();
  const [confirming, setConfirming] = useState(false);

  const load = () => api<Status>("/api/whatsapp/status").then(setStatus, (e) => setError(errorText(e)));
  useEffect(() => void load(), []);
  // every change of state (a new QR too) comes as an event; the status route has the details
  useLiveReload(["whatsapp.state"], () => void load(), undefined, 100);

  async function act(what: "pair" | "logout" | "connect", run: () => Promise<void>) {
    setBusy(what);
    setError(undefined);
    try {
      await run();
      await load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(undefined);
    }
  }

  const pair = (e: Event) => {
    e.preventDefault();
    void act("pair", async () => setCode((await api<{ code: string }>("/api/whatsapp/pair", { body: { phone } })).code));
  };
  const unlink = () =>
    act("logout", async () => {
      await api("/api/whatsapp/logout", { method: "POST" });
      setConfirming(false);
      setCode(undefined);
    });
  const connect = () => act("connect", () => api("/api/whatsapp/connect", { method: "POST" }));

  if (!status) return error ? <ErrorLine message={error} /> : <Loading />;
  const s = status;
  const shownCode = code ?? s.pairingCode;
  const waiting = s.state === "qr" || s.state === "pairing" || s.state === "starting";
  return (
    <div class="mx-auto max-w-3xl space-y-4">
      <PageHeader title={t("waTitle")}>
        <p class="mt-1 text-slate-600">{t("waIntro")}</p>
      </PageHeader>
      <ErrorLine message={error} />

      <Card>
        <div class="flex flex-wrap items-center gap-3" role="status" aria-live="polite">
          <span class="text-sm text-slate-600">{t("waState")}</span>
          <span class={`rounded-full px-3 py-1 text-sm font-semibold ${STATE_STYLE[s.state]}`} data-state={s.state}>
            {t(`waState_${s.state}` as Key)}
          </span>
          <span class="min-w-0 break-words text-sm text-slate-700" dir="auto">
            {s.reason}
          </span>
        </div>
        <dl class="mt-3 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_minmax(0,1fr)]">
          {s.me && (
            <>
              <dt class="text-slate-600">{t("waLinkedAs")}</dt>
              <dd class="font-medium">
                <Phone value={s.me} />
              </dd>
            </>
          )}
          <dt class="text-slate-600">{t("waSince")}</dt>
          <dd>{when(s.since)}</dd>
          {s.nextAttemptAt && (
            <>
              <dt class="text-slate-600">{t("waNextAttempt")}</dt>
              <dd>{when(s.nextAttemptAt)}</dd>
            </>
          )}
          {s.workerRestarts > 0 && (
            <>
              <dt class="text-slate-600">{t("waRestarts")}</dt>
              <dd>{s.workerRestarts}</dd>
            </>
          )}
          <dt class="text-slate-600">{t("waTwilio")}</dt>
          <dd>{s.channels.twilio ? t("waTwilioOn") : withCode(t("waTwilioOff"), "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_FROM")}</dd>
        </dl>
        {s.state === "disabled" && <p class="mt-3 rounded bg-slate-50 px-3 py-2 text-sm ring-1 ring-slate-200">{withCode(t("waDisabledHelp"), "WHATSAPP_ENABLED=true")}</p>}
        {!admin && s.state !== "disabled" && <p class="mt-3 text-sm text-slate-600">{t("waAgentNote")}</p>}
        {admin && s.state !== "disabled" && (
          <div class="mt-4 flex flex-wrap gap-2">
            {(s.state === "err" || s.state === "starting") && (
              <button type="button" class={BUTTON} disabled={busy !== undefined} onClick={connect}>
                {t("waConnect")}
              </button>
            )}
            {s.state === "ok" && !confirming && (
              <button type="button" class={BUTTON} onClick={() => setConfirming(true)}>
                {t("waUnlink")}
              </button>
            )}
          </div>
        )}
        {confirming && (
          <div role="alertdialog" aria-labelledby="unlink-question" class="mt-4 rounded-md bg-red-50 p-3">
            <p id="unlink-question" class="text-sm text-red-900">
              {t("waUnlinkConfirm")}
            </p>
            <div class="mt-2 flex gap-2">
              <button type="button" class={buttonClass("danger")} disabled={busy === "logout"} onClick={unlink}>
                {t("waUnlinkYes")}
              </button>
              <button type="button" class={BUTTON} onClick={() => setConfirming(false)}>
                {t("cancel")}
              </button>
            </div>
          </div>
        )}
      </Card>

      {admin && waiting && (
        <div class="grid grid-cols-1 gap-4 md:grid-cols-2">
          <Card title={t("waScanTitle")}>
            <p class="mb-3 text-sm text-slate-700">{t("waScanSteps")}</p>
            {s.qrSvg ? (
              <img src={svgImage(s.qrSvg)} alt={t("waQrAlt")} class="mx-auto aspect-square w-full max-w-64 bg-white p-2" data-testid="qr" />
            ) : (
              <p class="text-sm text-slate-600">{t("waQrWaiting")}</p>
            )}
          </Card>
          <Card title={t("waPairTitle")}>
            <p class="mb-3 text-sm text-slate-700">{t("waPairHelp")}</p>
            <form onSubmit={pair} class="space-y-3">
              <label class="block">
                <span class="mb-1 block text-sm font-medium">{t("waPhone")}</span>
                <input
                  class="w-full rounded-md border border-slate-300 px-3 py-2 focus:outline-none focus:ring-2 focus:ring-indigo-500"
                  type="tel"
                  name="phone"
                  dir="ltr"
                  autocomplete="tel"
                  placeholder="+972501234567"
                  required
                  value={phone}
                  onInput={(e) => setPhone((e.target as HTMLInputElement).value)}
                />
              </label>
              <button type="submit" class={buttonClass("primary")} disabled={busy === "pair" || !phone.trim()}>
                {t("waGetCode")}
              </button>
            </form>
            {shownCode && (
              <div class="mt-4">
                <p class="text-sm text-slate-700">{t("waCodeSteps")}</p>
                <p class="mt-2 text-center font-mono text-3xl font-bold tracking-widest" dir="ltr" aria-label={`${t("waCode")}: ${shownCode.split("").join(" ")}`} data-testid="pairing-code">
                  {shownCode.length === 8 ? `${shownCode.slice(0, 4)}-${shownCode.slice(4)}` : shownCode}
                </p>
              </div>
            )}
          </Card>
        </div>
      )}

      <Card title={t("waRulesTitle")}>
        <Restrictions r={s.restrictions} />
        <p class="mt-3 text-sm text-slate-700">{t("waRulesIntro")}</p>
        <ul class="mt-2 list-disc space-y-1 ps-5 text-sm text-slate-700">
          <li>{t("waRule1")}</li>
          <li>{t("waRule2")}</li>
          <li>{t("waRule3")}</li>
        </ul>
      </Card>
    </div>
  );
}

function Restrictions(props: { r: Status["restrictions"] }) {
  const lock = props.r.reachoutTimeLock;
  const cap = props.r.messageCapping;
  const capKey = cap && (`waCapping_${cap.status}` as Key);
  const capped = cap && cap.status !== "NONE";
  if (!lock?.active && !capped) return <p class="text-sm font-medium text-green-800" data-testid="restrictions">{t("waNoRestrictions")}</p>;
  return (
    <div class="space-y-2" data-testid="restrictions">
      {lock?.active && (
        <p role="alert" class="rounded bg-red-50 px-3 py-2 text-sm text-red-900">
          <strong>{t("waLockActive")}</strong>
          {lock.until && ` ${t("waLockUntil")} ${when(lock.until)}`}. {t("waLockHelp")}
        </p>
      )}
      {capped && (
        <p role="alert" class={`rounded px-3 py-2 text-sm ${cap.status === "CAPPED" ? "bg-red-50 text-red-900" : "bg-amber-50 text-amber-900"}`}>
          <strong>{t("waCapping")}:</strong> {capKey && capKey in STRINGS_GUARD ? t(capKey) : cap.status}
          {cap.used !== undefined && cap.total !== undefined && ` (${cap.used} ${t("waCappingOf")} ${cap.total} ${t("waCappingUsed")})`}
          {cap.cycleEnd && ` · ${t("waCycleEnd")} ${when(cap.cycleEnd)}`}
        </p>
      )}
    </div>
  );
}

/** The capping statuses this page has words for (WhatsApp may add others: those are shown as they come). */
const STRINGS_GUARD: Record<string, true> = { waCapping_NONE: true, waCapping_FIRST_WARNING: true, waCapping_SECOND_WARNING: true, waCapping_CAPPED: true };
