ALTER TABLE `tasks` ADD `sandbox` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `image` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `network` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `limits` text DEFAULT '{}' NOT NULL;