/** Raised when Repka cannot start; the message is one line for the operator. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
