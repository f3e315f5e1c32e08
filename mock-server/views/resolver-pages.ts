// HTML pages of the browser resolver (GET /{handle}), copied from the real Handle.Net proxy's templates so learners can compare them side by side.
import type { HandleValueJson } from '../vocabulary/model.js';
import { valueDataAsString } from '../handle/loc-selection.js';

// The package's one HTML escaper (the same five entities the resolver's own copy had).
import { escapeHtml } from '../../src/record-view/escape.js';

export { escapeHtml };

/**
 * Percent-encodes a handle (or type) for use as a URL path, keeping "/" so `21.T12995/X` stays readable
 * (HDLProxy `StringUtils.encodeURLPath`).
 *
 * @example encodeUrlPath('21.T12995/a b') // '21.T12995/a%20b'
 */
export function encodeUrlPath(text: string): string {
  return encodeURIComponent(text).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

/**
 * The server-relative URL of a handle. Leading slashes are dropped (the resolver ignores them anyway)
 * because `//host/...` would make the browser leave this server.
 *
 * @example handlePath('21.T12995/a b') // '/21.T12995/a%20b'
 */
export function handlePath(handle: string): string {
  return `/${encodeUrlPath(handle.replace(/^\/+/, ''))}`;
}

/**
 * Only these schemes become clickable: a value is data anyone with write access to a record can set, and
 * a `javascript:` or `data:` href on our origin would run in the learner's browser.
 */
function isLinkableUrl(text: string): boolean {
  return /^(https?|ftp):\/\/[^\s]*$/i.test(text);
}

function link(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

const FOOTER_LINKS = `<p><strong><em><small>
<a href="/help.html">Handle Proxy Server Documentation</a><br/>
<a href="http://www.handle.net/">Handle.net Web Site</a>
</small>
</em></strong></p>`;

/**
 * The tiny page sent along with a redirect, for clients that do not follow `Location` (transcript 98).
 *
 * @example renderRedirectPage('https://example.org/existing1')
 */
export function renderRedirectPage(url: string): string {
  const target = isLinkableUrl(url) ? link(url, url) : escapeHtml(url);
  return `<html><head><title>Handle Redirect</title></head>\n<body>${target}</body></html>`;
}

// HS_ADMIN permissions in the order AdminRecord.toString() prints them, each with its position in the
// 12-character JSON bit string (protocol reference §2.4: position 0 is bit 11, position 11 is bit 0).
const ADMIN_PERMISSION_LABELS: ReadonlyArray<readonly [position: number, label: string]> = [
  [11, 'create hdl'], // bit 0, add handle
  [10, 'delete hdl'], // bit 1
  [9, 'create derived prefix'], // bit 2
  [8, 'delete derived prefix'], // bit 3
  [1, 'read val'], // bit 10
  [7, 'modify val'], // bit 4
  [6, 'del val'], // bit 5
  [5, 'add val'], // bit 6
  [4, 'modify admin'], // bit 7
  [3, 'del admin'], // bit 8
  [2, 'add admin'], // bit 9
  [0, 'list'], // bit 11
];

/**
 * The proxy's text for an HS_ADMIN value, e.g. `handle=0.NA/21.T12995; index=200; [create hdl,...]`.
 * Undefined when the data is not an admin record.
 */
export function describeAdminValue(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const admin = data as { handle?: unknown; index?: unknown; permissions?: unknown };
  if (typeof admin.handle !== 'string') return undefined;
  const bits = String(admin.permissions ?? '')
    .padStart(12, '0')
    .slice(-12);
  const granted = ADMIN_PERMISSION_LABELS.filter(([position]) => bits[position] === '1').map(([, label]) => label);
  return `handle=${admin.handle}; index=${String(admin.index)}; [${granted.join(',')}]`;
}

/** `2026-11-25T19:43:37Z` → `2026-11-25&nbsp;19:43:37Z`, the proxy's "nicer" timestamp. */
function formatTimestamp(timestamp: string | undefined): string {
  if (timestamp === undefined) return '';
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return escapeHtml(timestamp);
  return new Date(time)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace('T', '&nbsp;');
}

function renderTypeCell(type: string, baseUrl: string): string {
  const shown = escapeHtml(type).replace(/ /g, '&nbsp;');
  // Same linking rules as HDLProxy.returnResponsePage: a type that is a handle links to that handle, the
  // well-known types to their 0.TYPE/ definition, anything else is plain text.
  let href: string | undefined;
  if (/^[A-Za-z][A-Za-z+.-]*:/.test(type)) {
    href = isLinkableUrl(type) ? type : undefined;
  } else if (type.includes('/')) {
    href = `${baseUrl}/${encodeUrlPath(type)}`;
  } else {
    const upper = type.toUpperCase();
    if (upper.startsWith('HS_') || upper === 'URL' || upper === 'DESC' || upper === 'EMAIL') {
      href = `${baseUrl}/0.TYPE/${encodeUrlPath(type)}`;
    }
  }
  return href === undefined ? shown : `<a href="${escapeHtml(href)}">${shown}</a>`;
}

function typeIs(type: string, wanted: string): boolean {
  const lower = type.toLowerCase();
  return lower === wanted.toLowerCase() || lower.startsWith(`${wanted.toLowerCase()}.`);
}

function renderDataCell(value: HandleValueJson): string {
  const format = String(value.data?.format ?? '').toLowerCase();
  const data = value.data?.value;
  if (typeIs(value.type, 'EMAIL')) {
    const address = valueDataAsString(value);
    // The "mailto:" prefix is ours, so whatever the value holds it cannot turn into another scheme;
    // encoding also keeps "?" and "&" from adding headers such as bcc to the mail.
    return `<a href="mailto:${escapeHtml(encodeUrlPath(address))}">${escapeHtml(address)}</a>`;
  }
  if (typeIs(value.type, 'HS_ADMIN')) {
    const text = describeAdminValue(data);
    return text === undefined ? '?!? - Broken Admin Value - ?!?' : escapeHtml(text);
  }
  if (format === 'vlist' || typeIs(value.type, 'HS_VLIST')) {
    if (!Array.isArray(data)) return '?!? - Broken HS_VLIST Value - ?!?';
    return data.map((ref: { handle?: unknown; index?: unknown }) => `${escapeHtml(String(ref?.index))}:${escapeHtml(String(ref?.handle))}<br>`).join('');
  }
  if ((format === 'base64' || format === 'hex') && typeof data === 'string') {
    // The real proxy prints these bytes as if they were text; the encoded form is what a learner can read.
    return `<i>${format}:</i> ${escapeHtml(data)}`;
  }
  if (typeof data !== 'string') {
    // key (JWK), site and other structured formats: the same JSON the REST API shows.
    return escapeHtml(JSON.stringify(data) ?? '');
  }
  return isLinkableUrl(data) ? link(data, data) : escapeHtml(data);
}

function renderValueRow(value: HandleValueJson, position: number, baseUrl: string): string {
  const colour = position % 2 === 0 ? 'dddddd' : 'ffffff';
  return (
    `<tr bgcolor="#${colour}"><td align="left" valign="top"><b>${escapeHtml(String(value.index))}</b></td>` +
    `<td align="left" valign="top"><b>${renderTypeCell(value.type, baseUrl)}</b></td>` +
    `<td valign="top"><span style='white-space:nowrap'>${formatTimestamp(value.timestamp)}</span></td>\n` +
    `<td>${renderDataCell(value)}</td></tr>\n`
  );
}

/**
 * The mock's one addition to the real values page: a link to the handle's change history (its own
 * line, so comparisons with the real server's page can drop it).
 */
export function historyLinkLine(handle: string): string {
  return `<p class="pid-mock-history"><a href="${escapeHtml(`/_history${handlePath(handle)}`)}">History of this handle</a> (pid-mock: who changed what, when)</p>`;
}

export interface HandleValuesPageInput {
  /** The handle as the learner asked for it. */
  handle: string;
  /** Values to show, already without restricted ones and in index order. */
  values: HandleValueJson[];
  /** Scheme, host and port of this server, without a trailing slash; the type links point there. */
  baseUrl: string;
}

/**
 * The "Handle Values for: ..." page of `?noredirect` and of records without a URL (transcripts 99 and 101).
 *
 * @example renderHandleValuesPage({ handle: '21.T12995/EXISTING1', values, baseUrl: 'http://127.0.0.1:8000' })
 */
export function renderHandleValuesPage({ handle, values, baseUrl }: HandleValuesPageInput): string {
  const base = baseUrl.replace(/\/+$/, '');
  let rows: string;
  if (values.length === 0) {
    rows = '<tr><td align=CENTER><b>No values found.</b></td></tr>';
  } else {
    rows =
      '<tr><td align="left" valign="top">Index</td><td align="left" valign="top">Type</td>' +
      '<td align="left" valign="top">Timestamp</td><td align="left" valign="top">Data</td></tr>\n' +
      values.map((value, position) => renderValueRow(value, position, base)).join('');
  }
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">

<html><head><title>Handle Proxy</title></head>

<body bgcolor="#ffffff">

<a href="http://www.handle.net">
<img src="/static/images/res_tool.gif" width="270" height="40" alt="Handle.net Logo" border=0></a>

<table width="100%">
<tbody>
<tr><th colspan="4" align="left" bgcolor="#dddddd">Handle Values for: ${escapeHtml(handle)}</th></tr>
${rows}

</tbody></table>

${historyLinkLine(handle)}
${FOOTER_LINKS}
<p><i>Please contact <a href="mailto:hdladmin@cnri.reston.va.us?subject=Handle%20Questions%20and%20Comments">hdladmin@cnri.reston.va.us</a> for your handle questions and comments</i>.

</body></html>

`;
}

/** The proxy's error.html template, used for unknown handles and unknown prefixes. */
function renderErrorPage(error: string, handle: string): string {
  const trailingSlash = handle.endsWith('/')
    ? `<p>The handle you requested included a trailing slash character (/) which may be incorrect.  <a href="${escapeHtml(handlePath(handle.slice(0, -1)))}">Click here</a> to attempt to resolve the handle without the slash.  Please note that a handle with and without a trailing slash are different identifers and will likely return different results.</p>`
    : '';
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">

<html>
<head>
<title>${escapeHtml(error)}</title>
</head>
<body bgcolor="#ffffff">

<img src="/static/images/res_tool.gif" width="270" height="40" alt="Handle.net Logo">





<!-- No status message was provided by the namespace-->
<h3>Error - ${escapeHtml(error)}</h3><p></p>

<p>The handle you requested -- </p> <p><b><i>${escapeHtml(handle)}</i></b></p>
<p>-- cannot be found.</p>

<p>Please <a href="mailto:hdladmin@cnri.reston.va.us?subject=Handle%20Not%20Found&body=The%20following%20handle%20was%20not%20found:%0D%0A${escapeHtml(encodeURIComponent(handle))}.%20%0D%0AThe%20referring%20page%20was:%20%0D%0A">contact us</a> if you wish to report this error.  Please include information regarding where you found the handle <br></p>


${trailingSlash}


<!--
HAS_NS_MSG -> 
NS_STATUS_MSG -> 
NS_STATUS -> active

-->

<hr noshade width="80%" size="1">
<br><br>
${FOOTER_LINKS}
</body></html>
`;
}

/**
 * The 404 page for a handle that does not exist (transcript 100).
 *
 * @example renderNotFoundPage('21.T12995/DOES-NOT-EXIST')
 */
export function renderNotFoundPage(handle: string): string {
  return renderErrorPage('Not Found', handle);
}

/**
 * The 404 page for a handle whose prefix this server does not home ("Prefix [10.9999] Not Found").
 *
 * @example renderPrefixNotFoundPage('10.9999', '10.9999/abc')
 */
export function renderPrefixNotFoundPage(prefix: string, handle: string = prefix): string {
  return renderErrorPage(`Prefix [${prefix}] Not Found`, handle);
}

/**
 * The proxy's novalues.html: the handle exists but `?index=` / `?type=` matched none of its values.
 *
 * @example renderValuesNotFoundPage('21.T12995/EXISTING1', 'http://127.0.0.1:8000/21.T12995/EXISTING1')
 */
export function renderValuesNotFoundPage(handle: string, handleUrl: string): string {
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">

<html>
<head>
<title>No Values Found</title>
</head>
<body bgcolor="#ffffff">

<img src="/static/images/res_tool.gif" width="270" height="40" alt="Handle.net Logo">

<h3>No Values Found</h3><p></p>

<p>The handle you requested - <i>${escapeHtml(handle)}</i> - exists but the values you requested were not found.  To resolve the handle without requesting a specific value, click the link below:</p>

<p><a href="${escapeHtml(handleUrl)}">${escapeHtml(handleUrl)}</a></p>



<hr noshade width="80%" size="1">
<br><br>
${FOOTER_LINKS}
</body></html>
`;
}

/**
 * The resolver's home page with the "Resolve a Handle" form (transcript 103).
 *
 * The real form POSTs; ours uses GET because the mock resolver answers only GET/HEAD (POST on the real
 * proxy also speaks the binary Handle protocol, which the mock does not), and because a GET form leaves a
 * URL learners can copy. The server answers `/?hdl=X` with a redirect to `/X`.
 */
export function renderHomePage(): string {
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">

<HTML>
<HEAD>
<TITLE>Handle Proxy</TITLE>
<style>
body {
    margin-left: 5%;
    margin-right: 5%;
}
</style>
</HEAD>
<body bgcolor="#ffffff"> <basefont size ="3">

<img src="/static/images/res_tool.gif" width="270" height="40" alt="Handle.net Logo">

<h3 align="center">Resolve a Handle and View the Values</h3>

<p align="center"><i>This is the offline pid-handson resolver: a mock of the Handle.Net proxy that knows only the handles stored in this mock server.</i></p>

<p align="left">The web form below will enable you to resolve individual
handles and view their associated values. It uses a proxy server, which
understands both  the Handle protocol and HTTP protocol.</p>

<p align="left">If you type a handle into the text box, and that handle has a
URL associated with it as one of its values, the proxy server will instruct
your browser to display the location of that URL.&nbsp; If you select
&quot;Don't Redirect to URLs&quot;, the proxy will display the handle record.</p>

<p align="left">The Handle proxy server uses caching to speed handle
resolution. If you check &quot;Authoritative Query&quot;, the proxy will bypass
the cache, go directly to the responsible handle server, and then refresh the
cache with the data for that handle. </p>

<p align="left">Simply appending a handle to the URL 
<a href="http://hdl.handle.net/">http://hdl.handle.net/</a> and giving the
string to a browser as a location will also resolve that handle.  
The proxy also supports a REST API, returning handle records in JSON format.
<a href="/help.html">Further documentation is available here.</a></p>

<form action="/" method=GET >

<center><table border="0"><tr>

<td align=center>

Handle: <input id="hdl" type=text name="hdl" value="" size=45>
</td>
</tr>
<tr>
<td align=LEFT valign=TOP>

<input type=checkbox name="auth" value="">Authoritative Query<br>
<input type=checkbox name="noredirect" value="">Don't Redirect to URLs<br>
<input type=checkbox name="ignore_aliases" value="">Don't Follow Aliases
<br><br><input type=SUBMIT value="Submit"></td>

</tr></table></center></form>

<p><strong><em><small>
<a href="/help.html">Handle Proxy Server Documentation</a><br/>
<a href="http://www.handle.net/">Handle.net Web Site</a>
</small></em></strong><br>
<p><i>Contact hdladmin@cnri.reston.va.us with your handle questions and comments</i>.

<script>${HOME_PAGE_SCRIPT}</script>

</body>

</html>
`;
}

/** The home page's one inline script; the Content-Security-Policy allows exactly this text by its hash. */
export const HOME_PAGE_SCRIPT = "\n    document.getElementById('hdl').focus();\n";

// Attribute values of the showurls XML, always written in double quotes: an apostrophe stays as it is
// (escapeHtml would write &#39;, which XML without a DTD reads but a person reading the XML should not meet).
function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The `<location>` attributes of the 10320/LOC schema (Technical Manual ch. 12): what the resolver
 * selects by, plus `mode`, which the proxy adds to locations taken from plain URL values.
 */
export const LOCATION_ATTRIBUTES: ReadonlySet<string> = new Set([
  'href',
  'id',
  'weight',
  'view',
  'country',
  'ctype',
  'score',
  'keyname',
  'http_role',
  'http_sc',
  'mode',
]);

/**
 * The `?action=showurls` answer: the locations the resolver would choose from, as XML.
 *
 * @example renderLocationsXml([{ href: 'https://example.org/x', weight: '1.0', mode: 'legacy' }])
 */
export function renderLocationsXml(locations: Array<Record<string, string>>): string {
  const elements = locations.map((attributes) => {
    // Names are stored data too: an `xmlns` or `onload` taken over from a record would let its writer run
    // script on this origin, so only the attributes the 10320/LOC schema defines are ever written out.
    const text = Object.entries(attributes)
      .filter(([name]) => LOCATION_ATTRIBUTES.has(name))
      .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
      .join('');
    return `<location${text} />\n`;
  });
  return `<locations>\n${elements.join('')}</locations>\n`;
}
