CREATE INDEX `approvals_listing` ON `approvals` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `approvals_status_listing` ON `approvals` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `approvals_task` ON `approvals` (`task_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_listing` ON `tasks` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_status_listing` ON `tasks` (`status`,`created_at`,`id`);