CREATE TABLE `call_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` integer NOT NULL,
	`at` integer NOT NULL,
	`event` text NOT NULL,
	`value` integer,
	`data` text,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `call_events_call_idx` ON `call_events` (`call_id`);--> statement-breakpoint
CREATE TABLE `call_turns` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_id` integer NOT NULL,
	`role` text NOT NULL,
	`text` text NOT NULL,
	`at` integer NOT NULL,
	`interrupted` integer DEFAULT false NOT NULL,
	`heard_ms` integer,
	`latency_ms` integer,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `call_turns_call_idx` ON `call_turns` (`call_id`);--> statement-breakpoint
CREATE TABLE `calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_sid` text NOT NULL,
	`contact_id` integer,
	`from_number` text,
	`to_number` text,
	`direction` text DEFAULT 'inbound' NOT NULL,
	`status` text DEFAULT 'ringing' NOT NULL,
	`outcome` text,
	`mode` text,
	`stream_sid` text,
	`started_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`answered_at` integer,
	`ended_at` integer,
	`duration_s` integer,
	`recording_path` text,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calls_call_sid_unique` ON `calls` (`call_sid`);--> statement-breakpoint
CREATE INDEX `calls_started_idx` ON `calls` (`started_at`);--> statement-breakpoint
CREATE INDEX `calls_contact_idx` ON `calls` (`contact_id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text,
	`phone` text,
	`email` text,
	`status` text DEFAULT 'lead' NOT NULL,
	`source` text,
	`need` text,
	`area` text,
	`budget` text,
	`notes` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_phone_unique` ON `contacts` (`phone`);--> statement-breakpoint
CREATE INDEX `contacts_name_idx` ON `contacts` (`name`);--> statement-breakpoint
CREATE INDEX `contacts_email_idx` ON `contacts` (`email`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`contact_id` integer,
	`call_id` integer,
	`kind` text DEFAULT 'callback' NOT NULL,
	`title` text NOT NULL,
	`notes` text,
	`due_text` text,
	`due_at` integer,
	`status` text DEFAULT 'open' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`call_id`) REFERENCES `calls`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `tasks_contact_idx` ON `tasks` (`contact_id`);--> statement-breakpoint
CREATE INDEX `tasks_status_idx` ON `tasks` (`status`);