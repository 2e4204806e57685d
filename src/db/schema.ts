/**
 * Every table of AgentLocator, one file per domain under schema/, all exported from here. drizzle-kit turns changes
 * here into SQL migrations (`bun run db:generate`), which are embedded in the build and applied at start.
 * Times are integer milliseconds since the epoch (drizzle's timestamp_ms mode).
 */
export * from "./schema/auth.ts";
export * from "./schema/calls.ts";
export * from "./schema/contacts.ts";
export * from "./schema/messages.ts";
export * from "./schema/payments.ts";
export * from "./schema/settings.ts";
export * from "./schema/tasks.ts";
