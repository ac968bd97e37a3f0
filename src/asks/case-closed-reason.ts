/** The reason recorded on a question settled because its case was closed (`!close`). */
export const closedReason = 'case closed';
