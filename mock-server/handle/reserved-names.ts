// Names kept for trainee identities. On a real server the prefix admin creates identity handles such as
// `300:21.T12995/carol` before anyone logs in with them; in a class, names are handed out while trainees
// already hold credentials that may add handles to the same prefix. A trainee who took
// `21.T12995/trainee03` first would stop trainee03's identity from ever being provisioned.
import { prefixOf, storageKey } from '../vocabulary/handle-names.js';

/** Why a handle may not be created by anyone but a server admin, or undefined when it may. */
export type NameReservations = (handle: string) => string | undefined;

export interface IdentityNames {
  /** The prefixes identities are provisioned in. */
  prefixes: string[];
  /** Identity handles of the roster and of `pid-mock identity add`, in storage form. */
  identityHandles: ReadonlySet<string>;
  /**
   * Names announced before they are provisioned (`pid-mock serve --reserve`, which the hub fills with its
   * roster), in storage form: kept from the first request on, not only from the trainee's first login.
   */
  announced?: ReadonlySet<string>;
}

/**
 * The suffixes every tool here generates for identities: USER01 (studying alone), TRAINEE01 (`pid-mock
 * class provision --trainees N`) and trainee01 (`npm run class -- --users N`, one name per hub user).
 */
export const GENERATED_IDENTITY_SUFFIX = /^(USER|TRAINEE)[0-9]+$/i;

/**
 * Reserves, in each identity prefix, the roster's names and the generated identity names. Names given
 * by hand (`carol`) are reserved once provisioned, or from the start when announced (the hub announces its
 * whole roster): provisioning them before handing out any bundle leaves no moment to take them.
 *
 * @example identityNameReservation('21.T12995/trainee03', { prefixes: ['21.T12995'], identityHandles: new Set() })
 */
export function identityNameReservation(handle: string, names: IdentityNames): string | undefined {
  const prefix = storageKey(prefixOf(handle));
  if (!names.prefixes.some((p) => storageKey(p) === prefix)) return undefined;
  const suffix = handle.slice(handle.indexOf('/') + 1);
  if (names.identityHandles.has(storageKey(handle)) || names.announced?.has(storageKey(suffix))) {
    return `${handle} is reserved: it is the identity handle of a trainee on this server. Choose another name for your handle`;
  }
  if (GENERATED_IDENTITY_SUFFIX.test(suffix)) {
    return `${handle} is reserved: names such as USER01, TRAINEE01 or trainee01 are kept for trainee identities. Choose another name for your handle`;
  }
  return undefined;
}
