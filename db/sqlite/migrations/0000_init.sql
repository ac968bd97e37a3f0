CREATE TABLE `case_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`author_kind` text NOT NULL,
	`author_id` text,
	`author_name` text,
	`text` text,
	`data` text,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_events_case` ON `case_events` (`case_id`,`id`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`client_id` integer NOT NULL,
	`status` text NOT NULL,
	`assignee` text,
	`slack_channel` text NOT NULL,
	`slack_thread_ts` text,
	`previous_case_id` integer,
	`opened_at` integer NOT NULL,
	`closed_at` integer,
	`close_summary` text,
	`client_waiting_since` integer,
	`first_reply_at` integer,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cases_client` ON `cases` (`client_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `cases_thread` ON `cases` (`slack_channel`,`slack_thread_ts`);--> statement-breakpoint
CREATE TABLE `clients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`telegram_chat_id` integer NOT NULL,
	`telegram_user_id` integer NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text,
	`username` text,
	`language` text NOT NULL,
	`language_chosen` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clients_chat` ON `clients` (`telegram_chat_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`stream` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`case_id` integer,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `outbox_pending` ON `outbox` (`status`,`stream`,`id`);--> statement-breakpoint
CREATE TABLE `processed_inbound` (
	`key` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `processed_inbound_at` ON `processed_inbound` (`at`);--> statement-breakpoint
CREATE TABLE `slack_users` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`fetched_at` integer NOT NULL
);
