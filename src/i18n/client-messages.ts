/** Every client-facing text, one function or string per key. Each locale file implements all of it. */
export interface ClientMessages {
  readonly languageName: string;
  caseOpened(caseId: number): string;
  caseOpenedEmpty(caseId: number): string;
  agentReply(caseId: number, agentName: string, text: string): string;
  caseClosed(caseId: number): string;
  caseReopened(caseId: number): string;
  checkingWithDepartment(caseId: number, departmentName: string, expectBy: string): string;
  greeting(openCaseIds: readonly number[]): string;
  statusNone: string;
  statusHeader: string;
  /** `/new` refused at the open-case limit; the open cases follow, one `statusLine` each. */
  tooManyOpenCases(limit: number): string;
  statusLine(caseId: number, openedOn: string, state: 'waiting-for-us' | 'waiting-for-you' | 'closed'): string;
  help: string;
  privateOnly: string;
  notSupported(what: string): string;
  chooseLanguage: string;
  languageSet: string;
  /** Above the 1..5 buttons after a case is closed. */
  rateRequest(caseId: number): string;
  /** Replaces the rating request once answered; `stars` like "★★★★☆". */
  ratingRecorded(caseId: number, stars: string): string;
  /** Sent with a reply field open: a reply to it is the rating comment. */
  ratingCommentInvite(caseId: number): string;
  /** Shown in the empty reply field (at most 64 characters). */
  ratingCommentPlaceholder: string;
  ratingCommentThanks(caseId: number): string;
  /** A message sent right after the rating, replying to nothing, became the comment: says so and how to open a case (`/new`) instead. */
  ratingCommentTaken(caseId: number): string;
  /** Private answers to a rating button (at most 200 characters each). */
  ratingThanks: string;
  ratingAlreadyRated: string;
  ratingNotYours: string;
  ratingNoSuchCase: string;
  ratingCaseOpen: string;
  ratingMalformed: string;
}
