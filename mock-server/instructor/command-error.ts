// A mistake in how an instructor's command (`pid-mock class`, `pid-mock state`) was called: shown as one line.
export class InstructorCommandError extends Error {}
