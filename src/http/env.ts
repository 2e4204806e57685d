/** What the HTTP layer is given (by main.ts) and the Hono environment type every route shares. */
import type { Server } from "bun";
import type { FailureLimiter } from "../auth/rate-limit.ts";
import type { Tokens } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import type { AuditService } from "../crm/audit.ts";
import type { CallRecords } from "../crm/call-records.ts";
import type { MessageService } from "../crm/messages.ts";
import type { ContactService } from "../crm/contacts.ts";
import type { SettingsService } from "../crm/settings.ts";
import type { TaskService } from "../crm/tasks.ts";
import type { PublicUser, UserService } from "../crm/users.ts";
import type { Readiness } from "../readiness.ts";
import type { VersionInfo } from "../version.ts";
import type { WhatsappInbox } from "../whatsapp/inbox.ts";
import type { MediaStore } from "../whatsapp/media-store.ts";
import type { WhatsappSender } from "../whatsapp/sender.ts";
import type { WhatsappControl } from "../whatsapp/control.ts";

export interface Services {
  users: UserService;
  audit: AuditService;
  contacts: ContactService;
  calls: CallRecords;
  tasks: TaskService;
  settings: SettingsService;
  messages: MessageService;
  whatsapp: { inbox: WhatsappInbox; sender: WhatsappSender; media: MediaStore };
}

export interface HttpDeps {
  config: Readonly<Config>;
  readiness: Readiness;
  version: VersionInfo;
  tokens: Tokens;
  loginLimiter: FailureLimiter;
  /** A media-stream token for a CallSid (see auth/stream-token.ts). */
  streamToken: (callSid: string) => string;
  /** The database-backed services; throws AppError("unavailable") while the database is down. */
  services: () => Services;
  /** The WhatsApp worker's supervisor (or its disabled stand-in). */
  whatsapp: WhatsappControl;
}

export type AppEnv = {
  Bindings: { server?: Server<unknown> };
  Variables: { requestId: string; user: PublicUser; deps: HttpDeps };
};
