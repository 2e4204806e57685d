/**
 * /ws/admin against the real server with real WebSocket clients: a call's turns arrive live while the caller is
 * still on the line, lead.saved and task.created follow their writes, an agent gets only their own contacts'
 * events, and the upgrade refuses a missing session or a foreign origin. Also: a changed greeting is what the
 * next call hears.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { MAX_SOCKETS_PER_USER, SESSION_ENDED } from "../../src/http/admin-socket.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { speech } from "../support/speech.ts";
import { until } from "../support/wait.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let rig: Rig;
const tokens: Record<string, string> = {};
const userIds: Record<string, number> = {};

async function login(email: string, password: string) {
  const res = await fetch(`${rig.server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  const body = (await res.json()) as { token: string; user: { id: number } };
  return body;
}

beforeAll(async () => {
  rig = await startRig();
  const owner = await login("owner@example.com", "owner-password");
  tokens.owner = owner.token;
  for (const who of ["agent", "agent2"]) {
    await rig.api("/api/users", { method: "POST", body: JSON.stringify({ email: `${who}@example.com`, password: `${who}-password`, role: "agent" }) });
    const s = await login(`${who}@example.com`, `${who}-password`);
    tokens[who] = s.token;
    userIds[who] = s.user.id;
  }
}, 30_000); // the call rig, three users and their password hashes take a while on a busy machine
afterAll(() => rig.stop());

interface Live {
  ws: WebSocket;
  events: Array<{ type: string; at: string; contactId: number | null; data: Record<string, any> }>;
  closed?: { code: number };
  waitFor(pred: (e: Live["events"][number]) => boolean, what: string, timeoutMs?: number): Promise<Live["events"][number]>;
}

/** Opens /ws/admin as a browser would: the session cookie and the app's own Origin. */
async function open(who: string, headers: Record<string, string> = {}): Promise<Live> {
  const ws = new WebSocket(`${rig.server.url.replace("http", "ws")}/ws/admin`, { headers: { cookie: `al_session=${tokens[who]}`, origin: rig.server.url, ...headers } } as unknown as string[]);
  const live: Live = {
    ws,
    events: [],
    async waitFor(pred, what, timeoutMs = 8000) {
      await until(() => live.events.some(pred), timeoutMs, what);
      return live.events.find(pred)!;
    },
  };
  ws.onmessage = (m) => live.events.push(JSON.parse(String(m.data)));
  ws.onclose = (e) => (live.closed = { code: e.code });
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`${who}: socket refused`));
  });
  return live;
}

describe("the upgrade", () => {
  const get = (headers: Record<string, string>) => fetch(`${rig.server.url}/ws/admin`, { headers });
  const upgrade = { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" };

  test("no session → 401; a foreign origin → 403; no origin → 403; a plain GET → 426", async () => {
    expect((await get({ ...upgrade, origin: rig.server.url })).status).toBe(401);
    expect((await get({ ...upgrade, cookie: `al_session=${tokens.owner}`, origin: "https://evil.example" })).status).toBe(403);
    expect((await get({ ...upgrade, cookie: `al_session=${tokens.owner}` })).status).toBe(403);
    expect((await get({ cookie: `al_session=${tokens.owner}`, origin: rig.server.url })).status).toBe(426);
    await expect(open("owner", { origin: "https://evil.example" })).rejects.toThrow("socket refused");
  });

  test(`one user holds at most ${MAX_SOCKETS_PER_USER} sockets, also when they all open at once; a closed one frees its place`, async () => {
    const opened = await Promise.allSettled(Array.from({ length: MAX_SOCKETS_PER_USER + 3 }, () => open("agent")));
    const ok = opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect(ok).toHaveLength(MAX_SOCKETS_PER_USER);
    const refused = await get({ ...upgrade, cookie: `al_session=${tokens.agent}`, origin: rig.server.url });
    expect(refused.status).toBe(429);
    // another user is not affected
    const owner = await open("owner");
    ok[0]!.ws.close();
    await until(() => ok[0]!.closed !== undefined, 3000, "closed");
    await until(() => rig.server.adminHub.connected === MAX_SOCKETS_PER_USER, 3000, "the server saw the close");
    const again = await open("agent");
    for (const l of [...ok, again, owner]) l.ws.close();
    await until(() => rig.server.adminHub.connected === 0, 3000, "all closed");
  });

  test("a 1 MB message closes that socket with 1009 unread; the user's other socket and the server go on", async () => {
    const big = await open("owner");
    const other = await open("owner");
    big.ws.send(JSON.stringify({ type: "ping", padding: "x".repeat(1024 * 1024) }));
    await until(() => big.closed !== undefined, 5000, "the oversized socket closed");
    expect(big.closed!.code).toBe(1009);
    other.ws.send(JSON.stringify({ type: "ping" }));
    await other.waitFor((e) => e.type === ("pong" as string), "pong on the other socket");
    expect((await fetch(`${rig.server.url}/healthz`)).status).toBe(200);
    other.ws.close();
  });

  test("a client that stops reading is closed once 1 MiB waits for it; the others keep getting events", async () => {
    const reading = await open("owner");
    const before = rig.server.adminHub.connected;
    // a raw client: the handshake, then it never reads another byte
    const url = new URL(rig.server.url);
    const stalled = await Bun.connect({
      hostname: url.hostname,
      port: Number(url.port),
      socket: { data() {}, open() {} },
    });
    stalled.write(
      [`GET /ws/admin HTTP/1.1`, `Host: ${url.host}`, "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13", `Origin: ${rig.server.url}`, `Cookie: al_session=${tokens.owner}`, "", ""].join("\r\n"),
    );
    await until(() => rig.server.adminHub.connected === before + 1, 3000, "the stalled client's socket open");
    stalled.pause(); // the kernel's buffers fill, then the server's
    const padding = "x".repeat(64 * 1024);
    for (let i = 0; i < 400 && rig.server.adminHub.connected > before; i++) {
      rig.server.adminHub.deliver({ type: "whatsapp.state", at: new Date().toISOString(), contactId: null, data: { i, padding } });
      await Bun.sleep(1);
    }
    expect(rig.server.adminHub.connected).toBe(before); // closed — not 25 MB queued for it
    await until(() => reading.events.length > 0, 3000, "events on the reading socket");
    expect(reading.closed).toBeUndefined();
    stalled.end();
    reading.ws.close();
  });

  test("a ping message gets a pong", async () => {
    const live = await open("owner");
    live.ws.send(JSON.stringify({ type: "ping" }));
    await live.waitFor((e) => e.type === ("pong" as string), "pong");
    live.ws.close();
  });
});

describe("live events", () => {
  test("a call's turns arrive while the caller is on the line; lead.saved and call.ended follow; an agent sees none of it", async () => {
    const owner = await open("owner");
    const agent = await open("agent");
    rig.google.stt.transcripts.push("I need a plumber for my kitchen");
    const caller = await rig.call({ from: "+972507770001" });

    const started = await owner.waitFor((e) => e.type === "call.started", "call.started");
    const contactId = started.contactId;
    expect(typeof contactId).toBe("number");
    expect(started.data).toMatchObject({ callSid: caller.callSid, mode: "conversation", fromNumber: "+972507770001" });
    expect(new Date(started.at).getTime()).toBeGreaterThan(0);
    const greeting = await owner.waitFor((e) => e.type === "call.turn" && e.data.role === "agent", "the greeting turn");
    expect(greeting.data).toMatchObject({ callSid: caller.callSid, text: expect.stringContaining("How can I help") });

    await caller.waitForQuiet();
    await caller.speak(await speech("I need a plumber for my kitchen"));
    const said = await owner.waitFor((e) => e.type === "call.turn" && e.data.role === "caller", "the caller's turn");
    expect(said).toMatchObject({ contactId, data: { callSid: caller.callSid, text: "I need a plumber for my kitchen" } });
    // the caller is still on the line: the call has not ended
    expect(owner.events.some((e) => e.type === "call.ended")).toBe(false);
    const lead = await owner.waitFor((e) => e.type === "lead.saved", "lead.saved");
    expect(lead).toMatchObject({ contactId, data: { need: "I need a plumber for my kitchen" } });

    await caller.hangup();
    const ended = await owner.waitFor((e) => e.type === "call.ended", "call.ended");
    expect(ended).toMatchObject({ contactId, data: { callSid: caller.callSid, outcome: "lead_saved", status: "completed" } });
    // the contact now shows when it was last spoken with
    const contact = await rig.api(`/api/contacts/${contactId}`);
    expect(contact).toMatchObject({ phone: "+972507770001", need: "I need a plumber for my kitchen", lastContactAt: expect.any(String) });
    expect(agent.events).toEqual([]);
    owner.ws.close();
    agent.ws.close();
  }, 30_000);

  test("once the contact is assigned to an agent, the agent follows its calls and tasks live; another agent does not", async () => {
    const contact = (await rig.api("/api/contacts", { method: "POST", body: JSON.stringify({ name: "Assigned", phone: "+972507770002", ownerId: userIds.agent }) })) as { id: number };
    const agent = await open("agent");
    const other = await open("agent2");
    const caller = await rig.call({ from: "050-777-0002" });
    const turn = await agent.waitFor((e) => e.type === "call.turn", "the agent gets the call's turn");
    expect(turn).toMatchObject({ contactId: contact.id, data: { callSid: caller.callSid, role: "agent" } });
    await caller.hangup();
    await agent.waitFor((e) => e.type === "call.ended", "call.ended");

    await fetch(`${rig.server.url}/api/tasks`, { method: "POST", headers: { authorization: `Bearer ${tokens.agent}`, "content-type": "application/json" }, body: JSON.stringify({ title: "Send a quote", contactId: contact.id }) });
    const task = await agent.waitFor((e) => e.type === "task.created", "task.created");
    expect(task).toMatchObject({ contactId: contact.id, data: { title: "Send a quote", assigneeId: userIds.agent } });
    expect(other.events).toEqual([]);
    agent.ws.close();
    other.ws.close();
  }, 30_000);

  test("events about no contact: the WhatsApp line's state reaches agents too, anything else only owners and admins", async () => {
    const owner = await open("owner");
    const agent = await open("agent");
    rig.server.adminHub.deliver({ type: "message.status", at: new Date().toISOString(), contactId: null, data: { id: 1 } });
    rig.server.adminHub.deliver({ type: "whatsapp.state", at: new Date().toISOString(), contactId: null, data: { state: "qr" } });
    await agent.waitFor((e) => e.type === "whatsapp.state", "whatsapp.state for the agent");
    await owner.waitFor((e) => e.type === "whatsapp.state", "whatsapp.state for the owner");
    expect(owner.events.map((e) => e.type)).toEqual(["message.status", "whatsapp.state"]);
    // messages on one socket arrive in order: had message.status reached the agent, it would be here already
    expect(agent.events.map((e) => e.type)).toEqual(["whatsapp.state"]);
    owner.ws.close();
    agent.ws.close();
  });

  test("a socket whose session ended is closed on the next check (4401); a live one is kept", async () => {
    const owner = await open("owner");
    const agent2 = await open("agent2");
    // the second agent is removed: their session no longer holds
    const { Database } = await import("bun:sqlite");
    const db = new Database(`${rig.server.dataDir}/agentlocator.db`);
    db.run("DELETE FROM users WHERE id = ?", [userIds.agent2!]);
    db.close();
    await rig.server.adminHub.sweep();
    await until(() => agent2.closed !== undefined, 3000, "the removed user's socket closes");
    expect(agent2.closed!.code).toBe(SESSION_ENDED);
    expect(owner.closed).toBeUndefined();
    owner.ws.close();
  });
});

test("a new greeting in the settings is what the next call hears", async () => {
  const greeting = "Thanks for calling Test Plumbing, what can we fix today?";
  const current = await rig.api("/api/settings/business");
  await rig.api("/api/settings/business", { method: "PUT", body: JSON.stringify({ ...current, greeting }) });
  const owner = await open("owner");
  const caller = await rig.call({ from: "+972507770003" });
  const turn = await owner.waitFor((e) => e.type === "call.turn" && e.data.callSid === caller.callSid, "the greeting");
  expect(turn.data.text).toBe(greeting);
  await caller.hangup();
  owner.ws.close();
}, 30_000);
