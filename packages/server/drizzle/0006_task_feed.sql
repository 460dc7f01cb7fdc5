ALTER TABLE `tasks` ADD `last_line` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `cost_usd` real;--> statement-breakpoint
ALTER TABLE `tasks` ADD `change_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `tasks_change` ON `tasks` (`change_seq`);--> statement-breakpoint
CREATE INDEX `tasks_finished` ON `tasks` (`finished_at`);--> statement-breakpoint
-- Hand-written: the task feed's cursor. Triggers bump it on every write path, old and new,
-- without touching them; writes are serialised, so max()+1 through the index is unique.
-- Lease renewals (heartbeats) change no column listed here and never reach the feed.
UPDATE `tasks` SET `change_seq` = `rowid`;--> statement-breakpoint
CREATE TRIGGER `tasks_change_on_insert` AFTER INSERT ON `tasks` BEGIN
	UPDATE `tasks` SET `change_seq` = (SELECT coalesce(max(`change_seq`), 0) + 1 FROM `tasks`) WHERE `rowid` = NEW.`rowid`;
END;--> statement-breakpoint
CREATE TRIGGER `tasks_change_on_update` AFTER UPDATE OF
	`status`, `worker_id`, `attempt`, `max_attempts`, `priority`, `exit_code`, `reason`, `cancel_requested_at`,
	`assigned_at`, `started_at`, `finished_at`, `last_line`, `cost_usd`
ON `tasks`
WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`worker_id` IS NOT NEW.`worker_id` OR OLD.`attempt` IS NOT NEW.`attempt`
	OR OLD.`max_attempts` IS NOT NEW.`max_attempts` OR OLD.`priority` IS NOT NEW.`priority`
	OR OLD.`exit_code` IS NOT NEW.`exit_code` OR OLD.`reason` IS NOT NEW.`reason`
	OR OLD.`cancel_requested_at` IS NOT NEW.`cancel_requested_at` OR OLD.`assigned_at` IS NOT NEW.`assigned_at`
	OR OLD.`started_at` IS NOT NEW.`started_at` OR OLD.`finished_at` IS NOT NEW.`finished_at`
	OR OLD.`last_line` IS NOT NEW.`last_line` OR OLD.`cost_usd` IS NOT NEW.`cost_usd`
BEGIN
	UPDATE `tasks` SET `change_seq` = (SELECT max(`change_seq`) + 1 FROM `tasks`) WHERE `rowid` = NEW.`rowid`;
END;
