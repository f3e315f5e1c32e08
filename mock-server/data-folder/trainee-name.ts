// The one alphabet of trainee names. A name becomes a handle suffix, a file name in credentials/ and a
// bundle folder, so it is checked here, where those paths are made, as well as where names come in.

/** The name alphabet of the contract: safe in a handle, a file name and a URL path alike. */
export const TRAINEE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/** What a trainee name may be, in words, for every message that refuses one. */
export const TRAINEE_NAME_RULE = 'use 1 to 40 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. USER02 or ada.lovelace)';

export function isTraineeName(name: unknown): name is string {
  return typeof name === 'string' && TRAINEE_NAME.test(name);
}

/** A name that would make a path outside the data folder (or no usable file name) reached a path builder. */
export class TraineeNameError extends Error {}
