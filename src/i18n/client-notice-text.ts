import type { ClientNotice } from '../outgoing.js';
import type { Language } from '../ports.js';
import { formatClientDate, formatClientDateTime, messagesFor } from './messages.js';
import { ratingStars } from '../cases/rating.js';

/**
 * The words of a client notice in the client's language, times in `timeZone` (default UTC): what
 * the client reads, whatever platform carries it. Plain text; buttons and reply fields are the
 * platform's renderer's business. Pure.
 */
export function clientNoticeText(notice: ClientNotice, language: Language, timeZone = 'UTC'): string {
  const m = messagesFor(language);
  switch (notice.type) {
    case 'case-opened':
      return notice.empty ? m.caseOpenedEmpty(notice.caseId) : m.caseOpened(notice.caseId);
    case 'agent-reply':
      return m.agentReply(notice.caseId, notice.agentName, notice.text);
    case 'case-closed':
      return m.caseClosed(notice.caseId);
    case 'case-reopened':
      return m.caseReopened(notice.caseId);
    case 'checking-with-department':
      return m.checkingWithDepartment(notice.caseId, notice.departmentName, `${formatClientDateTime(notice.expectBy, language, timeZone)} (${timeZone})`);
    case 'greeting':
      return m.greeting(notice.openCaseIds);
    case 'too-many-open-cases':
      return [m.tooManyOpenCases(notice.limit), ...notice.cases.map((c) => m.statusLine(c.id, formatClientDate(c.openedAt, language, timeZone), c.status))].join('\n');
    case 'status':
      if (notice.cases.length === 0) return m.statusNone;
      return [m.statusHeader, ...notice.cases.map((c) => m.statusLine(c.id, formatClientDate(c.openedAt, language, timeZone), c.status))].join('\n');
    case 'help':
      return m.help;
    case 'private-only':
      return m.privateOnly;
    case 'not-supported':
      return m.notSupported(notice.what);
    case 'choose-language':
      return m.chooseLanguage;
    case 'language-set':
      return m.languageSet;
    case 'rate-request':
      return m.rateRequest(notice.caseId);
    case 'rating-recorded':
      return m.ratingRecorded(notice.caseId, ratingStars(notice.score));
    case 'rating-comment-invite':
      return m.ratingCommentInvite(notice.caseId);
    case 'rating-comment-thanks':
      return m.ratingCommentThanks(notice.caseId);
    case 'rating-comment-taken':
      return m.ratingCommentTaken(notice.caseId);
  }
}
