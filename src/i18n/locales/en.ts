import type { ClientMessages } from '../client-messages.js';

export const en: ClientMessages = {
  languageName: 'English',
  caseOpened: (id) => `Thank you! Your request is registered as case #${id}. We will answer here as soon as we can.`,
  caseOpenedEmpty: (id) => `Case #${id} is open. Describe your question in one or more messages.`,
  agentReply: (id, agent, text) => `${agent}, support · case #${id}:\n\n${text}`,
  caseClosed: (id) => `Case #${id} is closed. If anything is still wrong, just write: we will open a new case.`,
  caseReopened: (id) => `Case #${id} is open again: we are still working on it.`,
  checkingWithDepartment: (id, dept, by) => `Case #${id}: we are checking with our ${dept} team and expect to update you by ${by}.`,
  greeting: (open) =>
    `Hello! Write your question here and our support team will answer you in this chat.` +
    (open.length > 0 ? `\n\nYour open cases: ${open.map((id) => `#${id}`).join(', ')}.` : ''),
  statusNone: 'You have no open cases. Write a message to open one.',
  statusHeader: 'Your open cases:',
  tooManyOpenCases: (limit) => `You already have ${limit} open cases, the most at once; no new case was opened. Write about your question in one of them (your messages join the latest one):`,
  statusLine: (id, on, state) =>
    `#${id} (opened ${on}): ${{ 'waiting-for-us': 'we are working on it', 'waiting-for-you': 'we have answered you', closed: 'closed' }[state]}`,
  help: 'Write your question and we will answer here.\n/new: open a new case\n/status: your open cases\n/language: change the language',
  privateOnly: 'I talk with clients in private chats only: please write to me directly.',
  notSupported: (what) => `We received your ${what}, but cannot show it to the team. Please describe it in words.`,
  chooseLanguage: 'Choose your language:',
  languageSet: 'Done: I will write to you in English.',
  rateRequest: (id) => `How did we do with case #${id}? Please rate it from 1 (bad) to 5 (excellent):`,
  ratingRecorded: (id, stars) => `Case #${id}: you rated it ${stars}. Thank you!`,
  ratingCommentInvite: (id) => `Anything to add about case #${id}? Reply to this message with a comment, or simply skip it.`,
  ratingCommentPlaceholder: 'Your comment',
  ratingCommentThanks: (id) => `Thank you! Your comment on case #${id} was passed to the team.`,
  ratingCommentTaken: (id) => `Thank you! We passed this to the team as your comment on case #${id}. If it is a new question, send /new and then write it again.`,
  ratingThanks: 'Thank you for your rating!',
  ratingAlreadyRated: 'You have already rated this case.',
  ratingNotYours: 'This case belongs to another chat, so it cannot be rated from here.',
  ratingNoSuchCase: 'This case does not exist, so it cannot be rated.',
  ratingCaseOpen: 'This case is open again: you can rate it once it is closed.',
  ratingMalformed: 'This button no longer works. Nothing was changed.',
};
