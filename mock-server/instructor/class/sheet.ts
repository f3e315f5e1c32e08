// The printable one-page sheet handed to a trainee with their bundle: who they are on the server,
// where the files go and the server's addresses. Every value is escaped; print CSS keeps it to one A4 page.
import type { TraineeRecord } from '../../data-folder/provisioning-state.js';
import { escapeHtml } from '../../views/resolver-pages.js';
import type { ServerAddresses } from '../../data-folder/addresses.js';
import { personalOwner, traineeHandle } from './roster.js';

const STYLE = `
@page { size: A4; margin: 18mm; }
body { font: 11pt/1.45 system-ui, sans-serif; color: #111; max-width: 174mm; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 2mm; border-bottom: 1px solid #ddd; }
th { width: 38%; font-weight: 600; }
code { font: 10pt ui-monospace, monospace; word-break: break-all; }
.note { font-size: 9.5pt; color: #444; }
@media print { body { max-width: none; } h2, table { break-inside: avoid; } }
`;

export function traineeSheet(trainee: TraineeRecord, addresses: ServerAddresses, files: { folder: string; keyFile: string }): string {
  const e = escapeHtml;
  const row = (label: string, value: string) => `<tr><th>${e(label)}</th><td><code>${e(value)}</code></td></tr>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>pid-handson: ${e(trainee.name)}</title><style>${STYLE}</style></head>
<body>
<h1>pid-handson — ${e(trainee.name)}</h1>
<p>Your own identity on the class's Handle server. Keep the files to yourself: they let anyone act as you.</p>
<h2>Who you are</h2>
<table>
${row('Name', trainee.name)}
${row('Identity handle', traineeHandle(trainee))}
${row('Password identity (HS_SECKEY)', trainee.passwordIdentity)}
${row('Certificate identity (HS_PUBKEY)', trainee.certificateIdentity)}
${row('Owner of what you register', personalOwner(trainee))}
</table>
<p class="note">Handles you register name you as their administrator, so only you (and the instructor) can change or delete them.</p>
<h2>Where the files go</h2>
<table>
${row('Folder', files.folder)}
${row('Certificate credentials', 'cred_file.json')}
${row('Password credentials', 'cred_basic.json (holds your password)')}
${row('Private key', files.keyFile)}
${row('Certificate authority', 'ca.pem')}
</table>
<p class="note">Put the whole folder where your notebooks can read it (in JupyterHub it is already in your home) and load
<code>cred_file.json</code> or <code>cred_basic.json</code> from it. The paths inside the files point at the key, certificate and CA in
this folder, so B2HANDLE and the lesson's client find them from any working folder.</p>
<h2>The server</h2>
<table>
${row('REST API (HTTPS)', `${addresses.httpsUrl}/api/handles/`)}
${row('Resolver pages', `${addresses.httpUrl}/`)}
${row('Reverse look-up', `${addresses.httpsUrl}/hrls/handles`)}
</table>
</body></html>
`;
}
