DROP INDEX `asks_thread`;--> statement-breakpoint
ALTER TABLE `asks` ADD `staff_platform` text DEFAULT 'slack' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `asks_thread` ON `asks` (`staff_platform`,`slack_channel`,`slack_ts`);--> statement-breakpoint
DROP INDEX `cases_thread`;--> statement-breakpoint
ALTER TABLE `cases` ADD `staff_platform` text DEFAULT 'slack' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `cases_thread` ON `cases` (`staff_platform`,`slack_channel`,`slack_thread_ts`);--> statement-breakpoint
-- Streams of messages not yet delivered take the platform-neutral names (src/outgoing.ts streamOf):
-- 'slack-<channel>[-<user>]' (private answers, delivered marks) → 'staff-…', 'tg-<chat>' → 'chat-…'.
-- Their payloads keep the older shape; db/rows.ts upcast reads it.
UPDATE `outbox` SET `stream` = 'staff-' || substr(`stream`, 7) WHERE `status` <> 'sent' AND `stream` LIKE 'slack-%';--> statement-breakpoint
UPDATE `outbox` SET `stream` = 'chat-' || substr(`stream`, 4) WHERE `status` <> 'sent' AND `stream` LIKE 'tg-%';
