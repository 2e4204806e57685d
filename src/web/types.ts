/** The shapes the admin API answers with, as the SPA reads them (JSON: dates are ISO strings). */
export type Role = "owner" | "admin" | "agent";

export interface User {
  id: number;
  email: string;
  name: string | null;
  role: Role;
  active: boolean;
  invited?: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export const STATUSES = ["new", "contacted", "qualified", "proposal", "won", "lost"] as const;
export type ContactStatus = (typeof STATUSES)[number];

export interface Contact {
  id: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  status: ContactStatus;
  tags: string[];
  ownerId: number | null;
  fields: Record<string, string | number | boolean | null>;
  createdAt: string;
  updatedAt: string;
  lastContactAt: string | null;
  need: string | null;
  area: string | null;
  budget: string | null;
  notes: string | null;
  source: string | null;
  identities?: Array<{ kind: string; value: string }>;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

export interface CallRow {
  id: number;
  callSid: string;
  contactId: number | null;
  fromNumber: string | null;
  toNumber: string | null;
  direction: string;
  status: string;
  outcome: string | null;
  mode: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  durationS: number | null;
  isTest: boolean;
  hasRecording?: boolean;
}

export interface Turn {
  role: "caller" | "agent";
  text: string;
  at: string;
  interrupted: boolean;
  heardMs: number | null;
  latencyMs: number | null;
}

export interface CallEvent {
  event: string;
  at: string;
  value: number | null;
  data: unknown;
}

export interface CallDetail {
  call: CallRow;
  turns: Turn[];
  events: CallEvent[];
  recordingUrl: string | null;
}

export interface Task {
  id: number;
  title: string;
  kind: "task" | "callback";
  notes: string | null;
  dueAt: string | null;
  dueText: string | null;
  done: boolean;
  doneAt: string | null;
  contactId: number | null;
  contactName: string | null;
  contactPhone: string | null;
  callId: number | null;
  callSid: string | null;
  assigneeId: number | null;
  assigneeName: string | null;
  createdById: number | null;
  createdAt: string;
}

export interface Note {
  id: number;
  contactId: number;
  text: string;
  authorId: number | null;
  authorName: string | null;
  createdAt: string;
}

export type TimelineKind = "call" | "message" | "task" | "note" | "payment" | "status";
export interface TimelineItem {
  kind: TimelineKind;
  id: number | string;
  at: string;
  data: Record<string, any>;
}

export interface FieldDefinition {
  key: string;
  label: { he?: string; en?: string };
  type: "text" | "number" | "date" | "select";
  options?: string[];
  required: boolean;
}

export interface BusinessSettings {
  name: string;
  greeting: string;
  hours: string;
  services: string;
  faq: string;
  language?: "he-IL" | "en-US";
  phraseHints: string[];
  ttsVoice?: string;
  eouSilenceMs?: number;
  transferNumber?: string;
  timezone?: string;
}

export interface LiveEvent {
  type: string;
  at: string;
  contactId: number | null;
  data: Record<string, any>;
}

export interface Overview {
  tz: string;
  days: number;
  today: { date: string; calls: number; answered: number; missed: number; newLeads: number; inProgress: number };
  missedCalls: Array<{ callSid: string; fromNumber: string | null; contactId: number | null; contactName: string | null; startedAt: string; reason: "voicemail" | "silent" | "unanswered" | "failed" }>;
  tasks: { open: number; overdue: number; today: number };
  latency: Array<{ date: string; turns: number; p50: number | null; p95: number | null }>;
  callsByHour: { today: number[]; average: number[] };
}
