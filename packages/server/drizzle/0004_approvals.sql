CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`key` text NOT NULL,
	`agent` text NOT NULL,
	`tool` text NOT NULL,
	`action` text NOT NULL,
	`command` text,
	`paths` text,
	`diff` text,
	`risk` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`decided_at` integer,
	`decided_by` text,
	`rule` text,
	`reason` text,
	`always` integer DEFAULT false NOT NULL,
	`updated_input` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `approvals_request` ON `approvals` (`task_id`,`attempt`,`key`);--> statement-breakpoint
CREATE INDEX `approvals_queue` ON `approvals` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `policies` (
	`scope` text PRIMARY KEY NOT NULL,
	`rules` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `tasks` ADD `prompt` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `policy` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `approve` text DEFAULT 'ask' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `approval_timeout_ms` integer DEFAULT 600000 NOT NULL;