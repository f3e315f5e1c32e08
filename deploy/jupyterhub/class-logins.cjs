// The class's hub logins: a password of each user's own, generated here, handed out through
// <class-dir>/logins.csv (plain text, root only, for the instructor to print) and checked by the hub against
// <class-dir>/hub-logins.json (scrypt hashes, root only; read by ClassAuthenticator in pid_handson_hub.py,
// which parses the same "scrypt$N$r$p$salt$key" form).
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const STORE = 'hub-logins.json';
const SHEET = 'logins.csv';
// No 0/O, 1/l/I: the passwords are read off paper.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** 3 groups of 4 from a 55-letter alphabet: about 69 bits, typed in a few seconds. */
function newPassword() {
  const letters = Array.from({ length: 12 }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]);
  return [0, 4, 8].map((i) => letters.slice(i, i + 4).join('')).join('-');
}

function hashPassword(password) {
  const salt = crypto.randomBytes(16);
  const key = crypto.scryptSync(password, salt, 32, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Writes a root-only file whole or not at all (a crash never leaves half a logins file). */
function writePrivate(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { mode: 0o600 });
  fs.chmodSync(temporary, 0o600);
  fs.renameSync(temporary, file);
}

function readStore(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    throw error;
  }
  const users = JSON.parse(text).users;
  if (typeof users !== 'object' || users === null || Array.isArray(users)) throw new Error(`${file} has no "users" object`);
  return users;
}

/** The passwords still on the instructor's sheet (it may have been deleted after printing). */
function readSheet(file) {
  const known = new Map();
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return known;
    throw error;
  }
  for (const line of text.split('\n').slice(1)) {
    const [user, password] = line.split(',');
    if (user && password) known.set(user, password);
  }
  return known;
}

/**
 * Makes the logins match the roster: users kept keep their password, new users (and those in renew) get
 * a new one, users no longer in the roster lose theirs. Returns the new passwords (to print once) and how
 * many kept passwords are no longer on the sheet.
 *
 * @param {string} classDir
 * @param {{ user: string, role: 'trainee' | 'instructor' }[]} roster
 * @param {string[]} renew
 */
function updateLogins(classDir, roster, renew) {
  const storeFile = path.join(classDir, STORE);
  const sheetFile = path.join(classDir, SHEET);
  const previous = readStore(storeFile);
  const sheet = readSheet(sheetFile);
  const users = {};
  const created = [];
  const rows = [];
  let unlisted = 0;
  for (const { user, role } of roster) {
    const before = Object.hasOwn(previous, user) ? previous[user] : undefined;
    if (before && typeof before.hash === 'string' && !renew.includes(user)) {
      users[user] = { role, hash: before.hash };
      if (sheet.has(user)) rows.push([user, sheet.get(user), role]);
      else unlisted += 1;
      continue;
    }
    const password = newPassword();
    users[user] = { role, hash: hashPassword(password) };
    created.push({ user, password, role });
    rows.push([user, password, role]);
  }
  writePrivate(storeFile, `${JSON.stringify({ users }, null, 2)}\n`);
  writePrivate(sheetFile, `user,password,role\n${rows.map((r) => r.join(',')).join('\n')}${rows.length ? '\n' : ''}`);
  return { created, unlisted, sheetFile };
}

/** The new logins as a table for the terminal. */
function loginTable(created) {
  const width = Math.max(4, ...created.map((c) => c.user.length));
  const line = (user, password, role) => `  ${user.padEnd(width)}  ${password.padEnd(14)}  ${role}`;
  return [line('user', 'password', 'role'), ...created.map((c) => line(c.user, c.password, c.role))].join('\n');
}

module.exports = { STORE, SHEET, newPassword, hashPassword, updateLogins, loginTable };
