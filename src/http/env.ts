/** What the HTTP layer is given (by main.ts) and the Hono environment type every route shares. */
import type { Server } from "bun";
import type { LoginGuard } from "../auth/login-guard.ts";
import type { Tokens } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import type { AuditService } from "../crm/audit.ts";
import type { CallRecords } from "../crm/call-records.ts";
import type { MessageService } from "../crm/messages.ts";
import type { ContactService } from "../crm/contacts.ts";
import type { PaymentService } from "../payments/service.ts";
import type { NoteService } from "../crm/notes.ts";
import type { SessionService } from "../crm/sessions.ts";
import type { SettingsService } from "../crm/settings.ts";
import type { StatsService } from "../crm/stats.ts";
import type { TaskService } from "../crm/tasks.ts";
import type { PublicUser, UserService } from "../crm/users.ts";
import type { LiveFeed } from "../live-events.ts";
import type { Readiness } from "../readiness.ts";
import type { VersionInfo } from "../version.ts";
import type { AdminHub } from "./admin-socket.ts";
import type { WhatsappInbox } from "../whatsapp/inbox.ts";
import type { MediaStore } from "../whatsapp/media-store.ts";
import type { WhatsappSender } from "../whatsapp/sender.ts";
import type { WhatsappControl } from "../whatsapp/control.ts";

export interface Services {
  users: UserService;
  sessions: SessionService;
  audit: AuditService;
  contacts: ContactService;
  calls: CallRecords;
  tasks: TaskService;
  /** The overview's aggregates (GET /api/stats/overview). */
  stats: StatsService;
  settings: SettingsService;
  payments: PaymentService;
  notes: NoteService;
  /** The one live-event feed (/ws/admin); services publish through it as they write. */
  live: LiveFeed;
  messages: MessageService;
  whatsapp: { inbox: WhatsappInbox; sender: WhatsappSender; media: MediaStore };
}

/** The calls this server runs right now, as the admin app's test calls need them. */
export interface LiveCallLine {
  /** True while `callSid` has its media stream. */
  has(callSid: string): boolean;
  /** Gives the live call a complete utterance as text (as if recognized); false when it cannot take one now. */
  typed(callSid: string, text: string): boolean;
}

export interface HttpDeps {
  config: Readonly<Config>;
  readiness: Readiness;
  version: VersionInfo;
  tokens: Tokens;
  /** Password-guessing limits per address and per account (counted before the password is checked). */
  loginGuard: LoginGuard;
  /** A media-stream token for a CallSid (see auth/stream-token.ts). */
  streamToken: (callSid: string) => string;
  /** Live events to the admin app's sockets (GET /ws/admin). */
  adminHub: AdminHub;
  /** The database-backed services; throws AppError("unavailable") while the database is down. */
  services: () => Services;
  /** Resolves once the ADMIN_EMAIL owner exists (created at start-up): sign-ins wait for it. */
  envOwner?: () => Promise<void>;
  /** The WhatsApp worker's supervisor (or its disabled stand-in). */
  whatsapp: WhatsappControl;
  /** The live-call registry (absent: no call is ever live, as in tests without a media server). */
  liveCalls?: LiveCallLine;
}

export type AppEnv = {
  Bindings: { server?: Server<unknown> };
  Variables: {
    requestId: string;
    user: PublicUser;
    /** The server-side session (token `jti`) this request is signed in with. */
    sessionId: string;
    deps: HttpDeps;
  };
};
