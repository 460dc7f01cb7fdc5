CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`action` text NOT NULL,
	`actor` text,
	`role` text,
	`target` text,
	`project` text,
	`from_address` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_project` ON `audit_log` (`project`,`at`);--> statement-breakpoint
CREATE TABLE `projects` (
	`name` text PRIMARY KEY NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `secrets` (
	`project` text NOT NULL,
	`name` text NOT NULL,
	`sealed` text NOT NULL,
	`set_by` text NOT NULL,
	`set_at` integer NOT NULL,
	PRIMARY KEY(`project`, `name`)
);
--> statement-breakpoint
ALTER TABLE `tasks` ADD `egress` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `allow_hosts` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `secrets` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `tokens` ADD `projects` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `join_uses` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `join_used` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tokens` ADD `worker_labels` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `worker_id` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `worker_name` text;--> statement-breakpoint
ALTER TABLE `workers` ADD `projects` text;--> statement-breakpoint
ALTER TABLE `workers` ADD `credential_jti` text;--> statement-breakpoint
ALTER TABLE `workers` ADD `revoked_at` integer;--> statement-breakpoint
UPDATE `tasks` SET `egress` = CASE WHEN `network` THEN 'open' ELSE 'none' END;--> statement-breakpoint
INSERT INTO `projects` (`name`, `created_by`, `created_at`) SELECT DISTINCT `project`, NULL, CAST(unixepoch('subsec') * 1000 AS integer) FROM (SELECT 'default' AS `project` UNION SELECT `project` FROM `tasks` UNION SELECT `project` FROM `threads` UNION SELECT `project` FROM `kv`);--> statement-breakpoint
UPDATE `tokens` SET `projects` = '["default"]' WHERE `role` IN ('member', 'viewer');
