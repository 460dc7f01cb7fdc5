CREATE TABLE `task_attempts` (
	`task_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`worker_id` text NOT NULL,
	`status` text NOT NULL,
	`exit_code` integer,
	`reason` text,
	`assigned_at` integer NOT NULL,
	`finished_at` integer,
	PRIMARY KEY(`task_id`, `attempt`)
);
--> statement-breakpoint
ALTER TABLE `tasks` ADD `timeout_ms` integer;--> statement-breakpoint
ALTER TABLE `tasks` ADD `grace_ms` integer DEFAULT 10000 NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `cancel_requested_at` integer;--> statement-breakpoint
ALTER TABLE `workers` ADD `draining` integer DEFAULT false NOT NULL;