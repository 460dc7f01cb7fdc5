CREATE TABLE `task_events` (
	`task_id` text NOT NULL,
	`seq` integer NOT NULL,
	`attempt` integer NOT NULL,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`task_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`agent` text NOT NULL,
	`command` text NOT NULL,
	`env` text NOT NULL,
	`labels` text NOT NULL,
	`priority` integer NOT NULL,
	`status` text NOT NULL,
	`attempt` integer NOT NULL,
	`max_attempts` integer NOT NULL,
	`worker_id` text,
	`lease_expires_at` integer,
	`exit_code` integer,
	`reason` text,
	`parent_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`assigned_at` integer,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `tasks_queue` ON `tasks` (`status`,`priority`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_worker` ON `tasks` (`worker_id`,`status`);--> statement-breakpoint
CREATE TABLE `tokens` (
	`jti` text PRIMARY KEY NOT NULL,
	`role` text NOT NULL,
	`subject` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE TABLE `workers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`labels` text NOT NULL,
	`capacity` integer NOT NULL,
	`version` text NOT NULL,
	`sandboxes` text NOT NULL,
	`agents` text NOT NULL,
	`status` text NOT NULL,
	`connected_at` integer,
	`last_seen_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workers_name_unique` ON `workers` (`name`);