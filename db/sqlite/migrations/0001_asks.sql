CREATE TABLE `asks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`department_id` text NOT NULL,
	`question` text NOT NULL,
	`asked_by` text NOT NULL,
	`asked_by_name` text NOT NULL,
	`asked_at` integer NOT NULL,
	`deadline_at` integer NOT NULL,
	`status` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`window_start_at` integer NOT NULL,
	`slack_channel` text NOT NULL,
	`slack_ts` text,
	`answered_at` integer,
	`answered_by` text,
	`answered_by_name` text,
	`reminders_sent` integer DEFAULT 0 NOT NULL,
	`overdue_at` integer,
	`escalated_again_at` integer,
	`closed_reason` text,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `asks_case` ON `asks` (`case_id`);--> statement-breakpoint
CREATE INDEX `asks_status` ON `asks` (`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `asks_thread` ON `asks` (`slack_channel`,`slack_ts`);--> statement-breakpoint
ALTER TABLE `cases` ADD `wait_alerted_at` integer;