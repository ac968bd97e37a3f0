/**
 * The platforms' published limits that Repka's renderers keep to, each with its source. Lengths
 * are UTF-16 code units of the final string as sent (for Slack: after escaping `&`, `<`, `>`),
 * except where a name says bytes or megabytes.
 *
 * Slack sources: the Slack-written JSDoc in `@slack/types` (node_modules/@slack/types/dist, path
 * and line given per limit) and the Web API method pages on docs.slack.dev / api.slack.com.
 * Telegram source: the Bot API reference, https://core.telegram.org/bots/api (anchor per limit).
 */

/** Slack Block Kit, views and message limits. Over a limit Slack answers `invalid_blocks` (messages) or `invalid_arguments` (views). */
export const slackLimits = Object.freeze({
  /** Section block `text`: 1–3000. @slack/types block-kit/blocks.d.ts `SectionBlock.text`. */
  sectionText: 3000,
  /** Section block `fields`: at most 10 items. @slack/types block-kit/blocks.d.ts `SectionBlock.fields`. */
  sectionFields: 10,
  /** Each section field's text: at most 2000. @slack/types block-kit/blocks.d.ts `SectionBlock.fields`. */
  sectionFieldText: 2000,
  /** Header block plain text: at most 150. @slack/types block-kit/blocks.d.ts `HeaderBlock.text`. */
  headerText: 150,
  /** Context block: at most 10 elements. @slack/types block-kit/blocks.d.ts `ContextBlock.elements`. */
  contextElements: 10,
  /** Actions block: at most 25 elements. @slack/types block-kit/blocks.d.ts `ActionsBlock.elements`. */
  actionsElements: 25,
  /** Button `text`: at most 75. @slack/types block-kit/block-elements.d.ts `Button.text`. */
  buttonText: 75,
  /** Button `value`: at most 2000. @slack/types block-kit/block-elements.d.ts `Button.value`. */
  buttonValue: 2000,
  /** Any `action_id` and `block_id`: at most 255. @slack/types block-kit/extensions.d.ts `Actionable.action_id`, blocks.d.ts `Block.block_id`. */
  actionId: 255,
  /** Option `text`: at most 75. @slack/types block-kit/composition-objects.d.ts `PlainTextOption.text`. */
  optionText: 75,
  /** Option `value`: at most 75. @slack/types block-kit/composition-objects.d.ts `OptionDescriptor.value`. */
  optionValue: 75,
  /** Options in a static select: at most 100. @slack/types block-kit/block-elements.d.ts `StaticSelect.options`. */
  selectOptions: 100,
  /** Confirmation dialog title: at most 100. @slack/types block-kit/composition-objects.d.ts `Confirm.title`. */
  confirmTitle: 100,
  /** Modal `title`, `submit` and `close`: at most 24 each. @slack/types views.d.ts `ModalView`. */
  modalTitle: 24,
  /** View `private_metadata`: at most 3000. @slack/types views.d.ts `BaseView.private_metadata`. */
  privateMetadata: 3000,
  /** View `callback_id`: at most 255. @slack/types views.d.ts `BaseView.callback_id`. */
  callbackId: 255,
  /** Input block `label`: at most 2000. @slack/types block-kit/blocks.d.ts `InputBlock.label`. */
  inputLabel: 2000,
  /** Plain-text input `max_length`: at most 3000. @slack/types block-kit/block-elements.d.ts `PlainTextInput.max_length`. */
  plainTextInputMax: 3000,
  /** Blocks in one message: at most 50. https://docs.slack.dev/reference/methods/chat.postMessage (`blocks`). */
  messageBlocks: 50,
  /** Blocks in a modal or Home tab: at most 100. @slack/types views.d.ts `BaseView.blocks`. */
  viewBlocks: 100,
  /**
   * Message `text` Slack shows well: about 4000; longer posts are split. The hard limit is 40,000
   * (longer text is refused with `msg_too_long` or truncated).
   * https://docs.slack.dev/reference/methods/chat.postMessage#truncating,
   * https://api.slack.com/changelog/2018-04-truncating-really-long-messages
   */
  messageText: 4000,
  /** Message `text` hard limit. See {@link slackLimits.messageText}. */
  messageTextHard: 40_000,
  /** `conversations.members` / `.history` page size: "under 1000", 200 recommended. https://docs.slack.dev/reference/methods/conversations.members */
  pageSize: 200,
});

/** Telegram Bot API limits. Over a limit Telegram answers 400 Bad Request. */
export const telegramLimits = Object.freeze({
  /** `sendMessage` text: 1–4096 characters after entities parsing. https://core.telegram.org/bots/api#sendmessage */
  messageText: 4096,
  /** Media caption: 0–1024 characters after entities parsing. https://core.telegram.org/bots/api#senddocument */
  caption: 1024,
  /** Inline button `callback_data`: 1–64 bytes. https://core.telegram.org/bots/api#inlinekeyboardbutton */
  callbackDataBytes: 64,
  /** `answerCallbackQuery` text: 0–200 characters. https://core.telegram.org/bots/api#answercallbackquery */
  callbackAnswerText: 200,
  /** `ForceReply.input_field_placeholder`: 1–64 characters. https://core.telegram.org/bots/api#forcereply */
  inputPlaceholder: 64,
  /** Photos a bot sends: at most 10 MB. https://core.telegram.org/bots/api#sending-files */
  photoUploadMb: 10,
  /** Other files a bot sends: at most 50 MB. https://core.telegram.org/bots/api#sending-files */
  fileUploadMb: 50,
  /** Files a bot downloads with `getFile`: at most 20 MB. https://core.telegram.org/bots/api#getfile */
  fileDownloadMb: 20,
  /** `setWebhook` secret_token: 1–256 of A-Z a-z 0-9 _ -. https://core.telegram.org/bots/api#setwebhook */
  webhookSecret: 256,
  /** Ports `setWebhook` accepts. https://core.telegram.org/bots/api#setwebhook ("Ports currently supported for webhooks"). */
  webhookPorts: Object.freeze([443, 80, 88, 8443] as const),
});
