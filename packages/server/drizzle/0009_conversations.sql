CREATE TABLE `kv` (
	`project` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`version` integer NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`project`, `key`)
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`thread_id` text NOT NULL,
	`project` text NOT NULL,
	`seq` integer NOT NULL,
	`author_kind` text NOT NULL,
	`author_name` text NOT NULL,
	`author_task_id` text,
	`author_worker_name` text,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`reply_to` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_thread_seq` ON `messages` (`thread_id`,`seq`);--> statement-breakpoint
CREATE TABLE `threads` (
	`id` text PRIMARY KEY NOT NULL,
	`project` text NOT NULL,
	`title` text NOT NULL,
	`task_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_message_at` integer,
	`messages` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `threads_listing` ON `threads` (`project`,`last_message_at`,`id`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `project` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `required_worker_id` text;--> statement-breakpoint
CREATE INDEX `tasks_project_listing` ON `tasks` (`project`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_parent` ON `tasks` (`parent_id`,`created_at`);