// What the lesson's server offers beyond a plain Handle server. The mock has a stand-in repository, the
// EUDAT reverse look-up, copies of the warm-up PIDs, teaching faults, a Data Type Registry with a PIT service
// and DOI content negotiation; a trainee's own Handle server at
// home may have none of them (docs/taking-it-home.md). Each part is probed once per kernel and server, and
// a cell or a check that needs a missing part says so in plain words and skips, instead of failing.
import { HandleClient } from '../../src/client.js';
import { PIDClientCredentials } from '../../src/credentials.js';
import { findCredentialsFile, lessonUrls, type LessonUrls } from './lesson.js';

/** A part of the mock that a plain Handle server may lack. */
export type ServerPart = 'repository' | 'reverse-lookup' | 'warm-up-records' | 'teaching-faults' | 'typed-services' | 'content-negotiation';

/** The lesson's warm-up PIDs (chapter 1): a Handle of EUDAT's prefix and a DOI, copied onto the mock. */
export const WARM_UP_PIDS = ['11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448', '10.3389/fgene.2013.00289'] as const;

/** The Helmholtz Kernel Information Profile: its entry in the mock's Data Type Registry answers the typed-services probe. */
const PROBED_PROFILE = '21.T11148/b9b76f887845e32d29f7';

/** The lesson's DOI (DataCite's test prefix): its BibTeX answers the content-negotiation probe. */
export const LESSON_DOI = '10.5072/surveys-2017';

/** A part is offered, or it is not, with the sentence that says why. */
export type Offer = { offered: true } | { offered: false; reason: string };

interface ServerSide {
  credentials: PIDClientCredentials;
  urls: LessonUrls;
}

/** Long enough for a server across the internet, short enough that a missing one does not stall a cell. */
const PROBE_TIMEOUT_MS = 8_000;

/** Why each part is missing, in the words a trainee reads above a skipped cell (the tests match them too). */
export const MISSING: Record<ServerPart, string> = {
  repository:
    "This server has no stand-in data repository (the mock serves the lesson's file surveys.csv under /files/ and an ARK resolver), " +
    "so the file's URL leads nowhere and its bytes cannot be downloaded.",
  'reverse-lookup': 'This server has no reverse look-up (the EUDAT search servlet at /hrls/handles); the mock has one.',
  'warm-up-records':
    "This server does not hold the lesson's warm-up PIDs (11304/… and the DOI 10.3389/…); the mock keeps copies of them. " +
    'Online, open them at https://hdl.handle.net/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448 and https://doi.org/10.3389/fgene.2013.00289.',
  'teaching-faults': 'This server has no teaching faults (the mock can make itself slow or busy on purpose); a real server is busy only when it really is.',
  'typed-services':
    'This server has no Data Type Registry and no PIT service (the mock stands in for the ePIC test DTR, 21.T11148, and for the Typed PID Maker). ' +
    'Online, the types resolve at https://hdl.handle.net/21.T11148/b9b76f887845e32d29f7 and the Typed PID Maker is at https://github.com/kit-data-manager/pit-service.',
  'content-negotiation':
    `This server does not answer a DOI with its metadata (content negotiation; the mock holds the lesson's DOI ${LESSON_DOI}). ` +
    'Online, doi.org does it for every DataCite and Crossref DOI: https://citation.crosscite.org/docs.html.',
};

/** The one reason that is about the credentials file rather than the server. */
export const NO_SEARCH_ACCOUNT =
  'Your credentials file names no reverse look-up account (reverselookup_username, reverselookup_password), so this server cannot be searched.';

const probes: Record<ServerPart, (side: ServerSide) => Promise<Offer>> = {
  repository: async ({ urls }) => answers(await status(urls.surveysCsv, 'HEAD'), 'repository', (code) => code >= 200 && code < 300),
  'reverse-lookup': async ({ credentials, urls }) => {
    const c = credentials.config;
    if (!c.reverselookup_username || !c.reverselookup_password) return { offered: false, reason: NO_SEARCH_ACCOUNT };
    const searcher = HandleClient.forReadAndSearch(urls.server, c.reverselookup_username, c.reverselookup_password, {
      httpsVerify: credentials.httpsVerify,
      reverseLookupBaseUri: c.reverselookup_baseuri,
      reverseLookupUrlExtension: c.reverselookup_url_extension,
      allowedSearchKeys: [],
    });
    try {
      // A value no record holds: only whether the search service answers matters.
      await withTimeout(searcher.searchHandle({ URL: 'pid-handson-probe-matches-nothing' }, { limit: 1 }));
      return { offered: true };
    } catch {
      return { offered: false, reason: MISSING['reverse-lookup'] };
    } finally {
      await searcher.close();
    }
  },
  'warm-up-records': async ({ credentials, urls }) => {
    const reader = HandleClient.forReadAccess(urls.server, { httpsVerify: credentials.httpsVerify });
    try {
      const records = await Promise.all(WARM_UP_PIDS.map((pid) => withTimeout(reader.retrieveHandleRecordJson(pid)).catch(() => null)));
      return records.every((record) => record !== null) ? { offered: true } : { offered: false, reason: MISSING['warm-up-records'] };
    } finally {
      await reader.close();
    }
  },
  // Without the admin token the switch refuses with 401; a server without it has no such path at all.
  'teaching-faults': async ({ urls }) =>
    answers(await status(`${urls.resolver}/_admin/faults`, 'GET'), 'teaching-faults', (code) => code === 401 || code === 200),
  // The registry's JSON view of a profile; a server without the registry answers its "not found" page.
  'typed-services': async ({ urls }) =>
    answers(await status(`${urls.resolver}/dtr/objects/${PROBED_PROFILE}`, 'GET', 'application/json'), 'typed-services', (code) => code === 200),
  // A server without content negotiation redirects whatever the Accept header says, or does not hold the DOI.
  'content-negotiation': async ({ urls }) =>
    answers(await status(`${urls.resolver}/${LESSON_DOI}`, 'GET', 'application/x-bibtex'), 'content-negotiation', (code) => code === 200),
};

function answers(code: number | undefined, part: ServerPart, offered: (code: number) => boolean): Offer {
  return code !== undefined && offered(code) ? { offered: true } : { offered: false, reason: MISSING[part] };
}

/** The HTTP status of one request, or undefined when no answer came (refused, unreachable, too slow). */
async function status(url: string, method: 'GET' | 'HEAD', accept?: string): Promise<number | undefined> {
  try {
    const headers = accept === undefined ? undefined : { accept };
    const response = await fetch(url, { method, headers, redirect: 'manual', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('no answer in time')), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** One probe per server and part for the kernel's life: a notebook asks again and again. */
const known = new Map<string, Promise<Offer>>();

function serverSide(): ServerSide {
  const credentials = PIDClientCredentials.loadFromJSON(findCredentialsFile());
  return { credentials, urls: lessonUrls(credentials) };
}

/**
 * Whether the lesson's server (the one the credentials file names) offers `part`, and if not, why.
 * @example const offer = await serverOffer('reverse-lookup'); if (!offer.offered) console.log(offer.reason);
 */
export async function serverOffer(part: ServerPart): Promise<Offer> {
  const side = serverSide();
  const key = `${side.urls.server}\n${side.credentials.config.reverselookup_username ?? ''}\n${part}`;
  let offer = known.get(key);
  if (offer === undefined) {
    offer = probes[part](side);
    known.set(key, offer);
  }
  return offer;
}

/**
 * Whether the lesson's server offers `part` (probed once, then remembered).
 * @example if (await serverOffers('repository')) console.log('the stand-in repository is there');
 */
export async function serverOffers(part: ServerPart): Promise<boolean> {
  return (await serverOffer(part)).offered;
}

/** The first of `parts` the server lacks, with its reason; offered when it has them all. */
async function allOffered(parts: ServerPart | ServerPart[]): Promise<Offer> {
  for (const part of Array.isArray(parts) ? parts : [parts]) {
    const offer = await serverOffer(part);
    if (!offer.offered) return offer;
  }
  return { offered: true };
}

/**
 * For a cell that needs parts of the mock: true when the server offers them; otherwise prints why and what is
 * skipped, and gives false.
 * @example if (await offers('reverse-lookup', 'the search by checksum')) { const hits = await client.searchHandle({ CHECKSUM: md5 }); }
 */
export async function offers(parts: ServerPart | ServerPart[], skipping: string): Promise<boolean> {
  const offer = await allOffered(parts);
  if (!offer.offered) console.log(`${offer.reason}\nSkipping ${skipping}.`);
  return offer.offered;
}

/**
 * Runs `work` when the server offers `part` and gives its value; otherwise prints why and gives undefined.
 * @example const md5 = await whenOffered('repository', 'the checksum of the file', () => checksumOfUrl(urls.surveysCsv));
 */
export async function whenOffered<T>(parts: ServerPart | ServerPart[], skipping: string, work: () => Promise<T> | T): Promise<T | undefined> {
  return (await offers(parts, skipping)) ? await work() : undefined;
}

/**
 * The handle to read where a cell only needs some record: `pid` (a warm-up PID) when the server holds it,
 * else `instead` (e.g. the prefix handle `0.NA/<prefix>`, which every server of one's prefix has), saying so.
 * @example const readable = await warmUpOr(handle, `0.NA/${cred.prefix}`);
 */
export async function warmUpOr(pid: string, instead: string): Promise<string> {
  const offer = await serverOffer('warm-up-records');
  if (offer.offered) return pid;
  console.log(`${offer.reason}\nReading ${instead} instead.`);
  return instead;
}
