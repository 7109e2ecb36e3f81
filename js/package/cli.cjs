#!/usr/bin/env node
// yunxiao-jobs: the command line of yunxiao-pipeline-jobs. Installed as pkg/bin/yunxiao-jobs.cjs
// by scripts/build.sh; it uses the package's Node build next to it (../node/index.cjs) and
// echoes.cjs beside it (what it shares with the signing proxy): no npm dependencies.
//
//   yunxiao-jobs list <organizationId> <pipelineId> [options]     (see HELP below)
//
// Rules kept here: output to stdout is the result only (table or JSON); everything else goes
// to stderr; an error is one line without a stack trace or a secret; the exit status says
// which class of error happened (EXIT_CODES).
'use strict';

const diagnosticsChannel = require('node:diagnostics_channel');
const { echoPattern, echoedForms, MAX_ESCAPE_LEVELS, revealsEchoWhenUnescaped, signatureOf, withoutEchoes } = require('./echoes.cjs');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PROGRAM = 'yunxiao-jobs';

// ---------------------------------------------------------------------------------------------
// Exit codes

const EXIT = { ok: 0, internal: 1, usage: 2, auth: 3, notFound: 4, throttled: 5, server: 6, invalidResponse: 7, interrupted: 130 };

const EXIT_BY_CLASS = {
  InvalidArgumentError: EXIT.usage,
  BadRequestError: EXIT.usage,
  AuthenticationError: EXIT.auth,
  ForbiddenError: EXIT.auth,
  NotFoundError: EXIT.notFound,
  ThrottlingError: EXIT.throttled,
  ServerError: EXIT.server,
  NetworkError: EXIT.server,
  TimeoutError: EXIT.server,
  InvalidResponseError: EXIT.invalidResponse,
};

/** A problem with the command line or the local configuration: exit 2, one line. */
class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Help

const EXIT_HELP = `Exit status:
  0    success (also for an empty job list)
  1    the output could not be written, or an unexpected internal error
  2    invalid arguments: a usage error, missing or unusable credentials,
       InvalidArgumentError, or BadRequestError (the API rejected a parameter)
  3    AuthenticationError or ForbiddenError (wrong key or token, no access)
  4    NotFoundError (organization, pipeline, ... does not exist)
  5    ThrottlingError (HTTP 429, Throttling.*)
  6    ServerError, NetworkError or TimeoutError
  7    InvalidResponseError (an answer that breaks the documented shape)
  130  interrupted (Ctrl-C)
  129, 131, 143  ended by SIGHUP, SIGQUIT (Ctrl-\\), SIGTERM (as \`timeout\`)
Errors are printed as one line on stderr: class, code, message, request id.`;

const CREDENTIALS_HELP = `Credentials (the first source found wins):
  1. flags: --token, or --access-key-id and --access-key-secret (+ --security-token
     for STS). The value "-" reads that value from stdin, one line per flag in flag
     order, so secrets stay out of shell history and the process list.
  2. environment: YUNXIAO_ACCESS_TOKEN, or ALIBABA_CLOUD_ACCESS_KEY_ID and
     ALIBABA_CLOUD_ACCESS_KEY_SECRET (+ ALIBABA_CLOUD_SECURITY_TOKEN). Setting both
     a token and an AccessKey here is an error (exit 2): pass one as a flag.
  3. the Alibaba Cloud CLI profile file $HOME/.aliyun/config.json ("aliyun
     configure"): the profile named by --profile, else $ALIBABA_CLOUD_PROFILE, else
     its current profile. Modes AK and StsToken. ALIBABA_CLOUD_IGNORE_PROFILE=TRUE
     skips the file. --profile selects the file even when the environment has keys.`;

const PROGRAM_HELP = `${PROGRAM}: list the jobs of a Yunxiao (Alibaba Cloud DevOps) pipeline

Usage:
  ${PROGRAM} list <organizationId> <pipelineId> [options]
  ${PROGRAM} help [list]
  ${PROGRAM} -h, --help | -V, --version

Commands:
  list   the jobs of a pipeline with the id and parameters of their last run;
         "${PROGRAM} list --help" shows its options

${CREDENTIALS_HELP}

${EXIT_HELP}
`;

const LIST_HELP = `Usage: ${PROGRAM} list <organizationId> <pipelineId> [options]

Lists the jobs of a pipeline: name, identifier, last job id and last parameters,
as an aligned table with the request id under it, or as JSON with --json.
With the token API's region edition, <organizationId> may be "".

Options:
  --category NAME          job category (default DEPLOY)
  --endpoint URL           API endpoint (default https://devops.cn-hangzhou.aliyuncs.com,
                           or https://openapi-rdc.aliyuncs.com with a token)
  --edition center|region  token API edition (default: center on openapi-rdc,
                           region on any other endpoint)
  --json                   print the result as JSON: { "requestId", "jobs": [...] }
  --timeout MS             per-attempt timeout in milliseconds (default 10000)
  --retries N              retries of network errors, timeouts, 429 and 5xx (0-10, default 2)
  --token TOKEN|-          Yunxiao personal access token (uses the token API)
  --access-key-id ID|-     AccessKey id
  --access-key-secret S|-  AccessKey secret
  --security-token T|-     STS security token (with an STS AccessKey)
  --profile NAME           use this profile of $HOME/.aliyun/config.json
  --unsigned               send unsigned requests (for a signing proxy at --endpoint)
  -h, --help               show this help

${CREDENTIALS_HELP}

On a terminal a spinner shows on stderr while a call takes longer than 300 ms.

${EXIT_HELP}

Examples:
  ${PROGRAM} list 5ebbc0228123212b59a1b2c3 1234567
  read -rs S && printf '%s\\n' "$S" | ${PROGRAM} list ORG 1234567 --access-key-id LTAI... --access-key-secret -
  ${PROGRAM} list ORG 1234567 --token - --json < token.txt | jq '.jobs[].identifier'
`;

// ---------------------------------------------------------------------------------------------
// Arguments

const CREDENTIAL_FLAGS = {
  '--token': 'token',
  '--access-key-id': 'accessKeyId',
  '--access-key-secret': 'accessKeySecret',
  '--security-token': 'securityToken',
};
const VALUE_FLAGS = {
  '--category': 'category',
  '--endpoint': 'endpoint',
  '--edition': 'edition',
  '--timeout': 'timeout',
  '--retries': 'retries',
  '--profile': 'profile',
  ...CREDENTIAL_FLAGS,
};
const BOOLEAN_FLAGS = { '--json': 'json', '--unsigned': 'unsigned', '--help': 'help', '-h': 'help' };

/**
 * Whether `--help` or `-h` is among the options, whatever else is wrong with them (so help is
 * shown, not an error); not as a flag's value (`--category -h`) nor after `--`.
 */
function asksForHelp(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
    if (Object.hasOwn(VALUE_FLAGS, arg) && canBeValue(args[i + 1])) i++; // its value follows
  }
  return false;
}

/** Whether a word after a flag that takes a value is that value: not another option (`--x`). */
const canBeValue = (word) => word !== undefined && !(word.startsWith('--') && word.length > 2);

/** Parses the arguments after `list`: { positionals, values, flags, credentialOrder }. */
function parseListArgs(args) {
  const positionals = [];
  const values = {};
  const flags = {};
  const credentialOrder = [];
  let onlyPositionals = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    // `=` splits single-dash forms too: an unknown `-access-key-secret=…` is named without its value.
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (BOOLEAN_FLAGS[name]) {
      if (eq !== -1) throw new UsageError(`${name} takes no value`);
      if (flags[BOOLEAN_FLAGS[name]]) throw new UsageError(`${name} given twice`);
      flags[BOOLEAN_FLAGS[name]] = true;
      continue;
    }
    const key = VALUE_FLAGS[name];
    if (!key) throw new UsageError(`unknown option ${printable(name)}`);
    let value;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      if (!canBeValue(args[i + 1])) {
        throw new UsageError(`${name} needs a value`);
      }
      value = args[++i];
    }
    if (Object.prototype.hasOwnProperty.call(values, key)) throw new UsageError(`${name} given twice`);
    if (value === '') throw new UsageError(`${name} needs a non-empty value`);
    values[key] = value;
    if (CREDENTIAL_FLAGS[name]) credentialOrder.push(name);
  }
  return { positionals, values, flags, credentialOrder };
}

/** A word as a message may show it: cut at its first `=`, where a mistyped option (`--acces-key-secret=…`,
 *  or with a dash autocorrect made of `--`) has its value, which may be a secret. */
function withoutValue(word) {
  const eq = word.indexOf('=');
  return eq === -1 ? word : `${word.slice(0, eq)}=…`;
}

function integerFlag(name, text, min, max) {
  // 16 digits: the range check below refuses what is above the maximum (2^53 − 1 has 16).
  const n = /^[0-9]{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${name} must be an integer from ${min} to ${max}, not ${printable(text)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Credentials

const ENV_CREDENTIALS = [
  'YUNXIAO_ACCESS_TOKEN',
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
];
/** Those that hold a secret (an AccessKey id is none). */
const ENV_SECRETS = ENV_CREDENTIALS.filter((name) => name !== 'ALIBABA_CLOUD_ACCESS_KEY_ID');

/**
 * Decides where the credentials come from: { source, options, secrets, isToken }.
 * `options` holds the credential options for the package; for the environment it is empty,
 * because the package reads those variables itself when no credential option is given.
 */
async function resolveCredentials(parsed, env, stdinLines) {
  const { values, flags, credentialOrder } = parsed;
  const fromFlags = credentialOrder.length > 0;
  const akFlags = credentialOrder.filter((f) => f !== '--token');
  if (fromFlags && values.token !== undefined && akFlags.length > 0) {
    throw new UsageError(`--token cannot be combined with ${akFlags.join(', ')}: use a token or an AccessKey, not both`);
  }
  const sources = [fromFlags && 'credential flags', values.profile !== undefined && '--profile', flags.unsigned && '--unsigned'].filter(Boolean);
  if (sources.length > 1) throw new UsageError(`${sources.join(' and ')} cannot be combined`);

  if (fromFlags) {
    // Before stdin is read: nobody should type a secret for a command line that is refused.
    if (values.token === undefined) {
      if (values.accessKeyId === undefined) throw new UsageError('--access-key-id is missing (an AccessKey needs --access-key-id and --access-key-secret)');
      if (values.accessKeySecret === undefined) throw new UsageError('--access-key-secret is missing (an AccessKey needs --access-key-id and --access-key-secret)');
      if (values.edition !== undefined) throw new UsageError(EDITION_WITHOUT_TOKEN);
    }
    const options = {};
    const fromStdin = credentialOrder.filter((flag) => values[CREDENTIAL_FLAGS[flag]] === '-');
    const lines = fromStdin.length ? await stdinLines(fromStdin) : [];
    for (const flag of credentialOrder) {
      const key = CREDENTIAL_FLAGS[flag];
      options[key] = values[key] === '-' ? lines[fromStdin.indexOf(flag)] : values[key];
    }
    return { source: 'flags', options, secrets: secretsOf(options), isToken: options.token !== undefined };
  }
  if (flags.unsigned) {
    // The package fills missing credentials from these variables: clear them in this process,
    // or "unsigned" would still sign (and send an STS token to the proxy at --endpoint).
    const secrets = ENV_CREDENTIALS.map((name) => env[name]).filter(Boolean);
    for (const name of ENV_CREDENTIALS) delete env[name];
    return { source: 'unsigned', options: {}, secrets, isToken: false };
  }
  if (values.profile === undefined) {
    const present = ENV_CREDENTIALS.filter((name) => env[name]);
    if (present.length > 0) {
      const secrets = ENV_SECRETS.map((name) => env[name]).filter(Boolean);
      return { source: 'environment', options: {}, secrets, isToken: Boolean(env.YUNXIAO_ACCESS_TOKEN) };
    }
  }
  const profile = readProfile(values.profile, env);
  if (profile) {
    const { options, warning } = profile;
    return { source: 'profile', options, secrets: secretsOf(options), isToken: false, warning };
  }
  throw new UsageError(
    'no credentials: pass --token or --access-key-id/--access-key-secret, set YUNXIAO_ACCESS_TOKEN or ' +
      'ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, or run "aliyun configure" ' +
      '(--unsigned sends unsigned requests to a signing proxy)',
  );
}

const EDITION_WITHOUT_TOKEN = '--edition applies to the token API only (--token or YUNXIAO_ACCESS_TOKEN)';

const secretsOf = (options) => [options.token, options.accessKeySecret, options.securityToken].filter(Boolean);

/** The home directory, or null when there is none (no HOME, and a user with no passwd entry). */
function homeDirectory(env) {
  if (env.HOME) return env.HOME;
  try {
    return os.homedir();
  } catch {
    return null;
  }
}

/**
 * Reads credentials from the Alibaba Cloud CLI's profile file: `{ options, warning }` (a warning
 * when the file is open to other users), or null when the file is not there (and no profile was
 * asked for by name); throws a UsageError for everything else
 * that keeps it from giving credentials. Never puts the file's content into a message: a
 * JSON.parse error quotes the text around the fault, which may be a secret.
 */
function readProfile(requested, env) {
  const shown = '~/.aliyun/config.json';
  const byName = requested ?? (env.ALIBABA_CLOUD_PROFILE || undefined);
  if (requested === undefined && /^true$/i.test(env.ALIBABA_CLOUD_IGNORE_PROFILE ?? '')) return null;
  const home = homeDirectory(env);
  if (home === null) {
    if (byName === undefined) return null;
    throw new UsageError(`profile ${printable(byName)} asked for, but there is no home directory to find ${shown} in (set HOME)`);
  }
  const file = path.join(home, '.aliyun', 'config.json');
  let text;
  let fileMode;
  try {
    // A FIFO or /dev/zero behind the name would block or never end: regular files only, and
    // small ones (the Alibaba Cloud CLI writes a few KB).
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    if (stat.size > 1 << 20) throw Object.assign(new Error('too large'), { code: 'larger than 1 MiB' });
    text = fs.readFileSync(file, 'utf8');
    fileMode = stat.mode;
  } catch (error) {
    if (error.code === 'ENOENT' && byName === undefined) return null;
    throw new UsageError(
      error.code === 'ENOENT'
        ? `profile ${printable(byName)} asked for, but ${shown} does not exist (run "aliyun configure --profile ${printable(byName)}")`
        : `cannot read ${shown} (${error.code ?? 'error'})`,
    );
  }
  let config;
  try {
    config = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new UsageError(`${shown} is not valid JSON`);
  }
  const profiles = config && Array.isArray(config.profiles) ? config.profiles : null;
  if (!profiles) throw new UsageError(`${shown} has no "profiles" list`);
  const name = byName ?? (typeof config.current === 'string' && config.current !== '' ? config.current : 'default');
  const profile = profiles.find((p) => p && typeof p === 'object' && p.name === name);
  if (!profile) {
    const names = profiles.map((p) => p && p.name).filter((n) => typeof n === 'string');
    throw new UsageError(`profile ${printable(name)} not found in ${shown} (profiles: ${names.map(printable).join(', ') || 'none'})`);
  }
  const authMode = typeof profile.mode === 'string' ? profile.mode : '';
  const field = (key) => (typeof profile[key] === 'string' && profile[key] !== '' ? profile[key] : undefined);
  const need = (key) => {
    const value = field(key);
    if (value === undefined) throw new UsageError(`profile ${printable(name)} in ${shown} has no ${key}`);
    return value;
  };
  // As ssh does for a private key: a file of secrets others may read is named (the Alibaba Cloud
  // CLI writes it 0600). Used all the same: refusing would break a working setup.
  const warning =
    process.platform !== 'win32' && (fileMode & 0o077) !== 0
      ? `warning: ${shown} is open to other users (mode ${(fileMode & 0o777).toString(8).padStart(3, '0')}); run "chmod 600 ${shown}"`
      : undefined;
  switch (authMode.toLowerCase()) {
    case 'ak':
      return { options: { accessKeyId: need('access_key_id'), accessKeySecret: need('access_key_secret') }, warning };
    case 'ststoken':
      return {
        options: { accessKeyId: need('access_key_id'), accessKeySecret: need('access_key_secret'), securityToken: need('sts_token') },
        warning,
      };
    default:
      throw new UsageError(
        `profile ${printable(name)} in ${shown} uses mode ${printable(authMode || '(none)')}; ${PROGRAM} supports only AK and ` +
          'StsToken profiles: pass credentials as flags or environment variables instead',
      );
  }
}

/** What stdin may hold before the lines it is read for: far more than any credential (an STS token is some 1-2 KB). */
const MAX_STDIN_CHARS = 64 * 1024;
const isHighSurrogate = (unit) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit) => unit >= 0xdc00 && unit <= 0xdfff;

/** Reads one line per flag from stdin: piped input, or a prompt without echo on a terminal. */
function stdinLines(flags) {
  const stdin = process.stdin;
  if (stdin.isTTY && typeof stdin.setRawMode === 'function') return promptLines(flags);
  return new Promise((resolve, reject) => {
    let buffer = '';
    const stop = () => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onError);
      stdin.pause();
      if (typeof stdin.unref === 'function') stdin.unref();
    };
    const settle = (lines) => {
      stop();
      for (let i = 0; i < flags.length; i++) {
        if (lines[i] === undefined) {
          return reject(new UsageError(`stdin ended before the value of ${flags[i]} (one line per "-" flag, in flag order)`));
        }
        if (lines[i] === '') return reject(new UsageError(`empty line on stdin for ${flags[i]}`));
      }
      return resolve(lines.slice(0, flags.length));
    };
    let first = true;
    const complete = () => buffer.split('\n').slice(0, -1).map((line) => line.replace(/\r$/, ''));
    const onData = (chunk) => {
      // A BOM (a file saved by Notepad) is not part of the first value.
      buffer += first ? chunk.replace(/^\uFEFF/, '') : chunk;
      first = false;
      const lines = complete();
      if (lines.length >= flags.length) return settle(lines);
      // Credentials are short: endless input (`< /dev/zero`) must not fill memory.
      if (buffer.length > MAX_STDIN_CHARS) {
        stop();
        reject(new UsageError(`stdin holds more than ${MAX_STDIN_CHARS} characters before the ${flags.length === 1 ? 'line' : `${flags.length} lines`} for ${flags.join(', ')}`));
      }
    };
    const onEnd = () => {
      const lines = complete();
      const rest = buffer.slice(buffer.lastIndexOf('\n') + 1).replace(/\r$/, '');
      if (rest !== '') lines.push(rest); // a last line without a newline
      settle(lines);
    };
    const onError = (error) => {
      stop();
      reject(new UsageError(`cannot read stdin (${error.code ?? 'error'})`));
    };
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
  });
}

/** `text` without its last character (a surrogate pair whole), for a backspace. */
function withoutLastCodePoint(text) {
  const last = text.length - 1;
  const pair = last > 0 && isLowSurrogate(text.charCodeAt(last)) && isHighSurrogate(text.charCodeAt(last - 1));
  return text.slice(0, pair ? last - 1 : Math.max(0, last));
}

/**
 * Escape sequences a terminal sends for keys, as steps: each takes the next character and gives
 * the next step, or null once the sequence is over. ESC [ (CSI) runs to a final byte from @ to ~;
 * ESC O (SS3) takes one more character; ESC and any other character is Alt with that key.
 */
const ESCAPE_STEP = {
  start: (ch) => (ch === '[' ? 'csi' : ch === 'O' ? 'ss3' : null),
  csi: (ch) => (ch >= '@' && ch <= '~' ? null : 'csi'),
  ss3: () => null,
};

/**
 * Ends the process as a terminal's hang-up ends one: by SIGHUP's default action, so that whoever
 * waits for it sees that signal. Not process.exit(): at exit Node resets the terminal, which on a
 * hung-up one aborts the process (Node 20). Dying by the signal skips Node's putting its pipes
 * back to blocking, which the shell or CI runner sharing them would then find non-blocking: done
 * here. (Windows has no SIGHUP to raise: an exit status there.)
 */
function endByHangUp() {
  if (process.platform === 'win32') process.exit(128 + 1);
  for (const stream of [process.stdout, process.stderr]) {
    try {
      stream._handle?.setBlocking?.(true);
    } catch {}
  }
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

// Whether a prompt waits on stderr's current line: a signal that ends the process then ends it.
let promptLineOpen = false;

/**
 * Reads one hidden line per flag from the terminal, in raw mode (nothing echoed). Input may
 * arrive faster than the prompts (two secrets pasted at once): every character is kept for the
 * next line, and CR LF counts as one line end.
 */
function promptLines(flags) {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    const lines = [];
    let value = '';
    let afterCR = false;
    let escape = null; // where in an escape sequence the input is, or null
    const prompt = () => {
      process.stderr.write(`${flags[lines.length].slice(2)}: `);
      promptLineOpen = true;
    };
    const finish = (error) => {
      promptLineOpen = false;
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onClosed);
      stdin.removeListener('error', onClosed);
      try {
        stdin.setRawMode(false);
      } catch {} // a terminal that has hung up refuses it: nothing left to restore
      stdin.pause();
      if (error) reject(error);
      else resolve(lines);
    };
    /** Ends the current line; true when reading is over. */
    const endLine = () => {
      process.stderr.write('\n');
      promptLineOpen = false;
      if (value === '') {
        finish(new UsageError(`empty value for ${flags[lines.length]}`));
        return true;
      }
      lines.push(value);
      value = '';
      if (lines.length === flags.length) {
        finish();
        return true;
      }
      prompt();
      return false;
    };
    const onData = (chunk) => {
      for (const ch of chunk) {
        // A key that sends an escape sequence (arrows, Home, F1, Alt+key) edits nothing here:
        // none of its characters may end up in the hidden value.
        if (escape !== null) {
          // A control character (Enter, Ctrl-C, another ESC) ends any sequence and counts.
          if (ch >= ' ') {
            escape = ESCAPE_STEP[escape](ch);
            continue;
          }
          escape = null;
        }
        if (ch === '\u001b') {
          escape = 'start';
          continue;
        }
        const wasCR = afterCR;
        afterCR = ch === '\r';
        if (ch === '\n' && wasCR) continue;
        if (ch === '\r' || ch === '\n') {
          if (endLine()) return;
        } else if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.stderr.write('\n');
          process.exit(EXIT.interrupted);
        } else if (ch === '\u0004') {
          if (value === '') {
            process.stderr.write('\n');
            return finish(new UsageError(`no value typed for ${flags[lines.length]}`));
          }
          if (endLine()) return;
        } else if (ch === '\u007f' || ch === '\b') {
          value = withoutLastCodePoint(value); // not Array.from(value): each backspace would cost the whole value
        } else if (ch >= ' ') {
          if (value.length >= MAX_STDIN_CHARS) {
            process.stderr.write('\n');
            return finish(new UsageError(`the value typed for ${flags[lines.length]} is longer than ${MAX_STDIN_CHARS} characters`));
          }
          value += ch;
        }
      }
      // A key's sequence comes in one piece: ESC alone at the end of one is the Esc key, and
      // must not swallow the next key pressed.
      if (escape === 'start') escape = null;
    };
    // A terminal's input ends only when it hangs up (Ctrl-D comes as a character here): end as
    // a hang-up ends a process, whether this or the SIGHUP comes first; not by waiting for ever.
    const onClosed = () => {
      promptLineOpen = false;
      endByHangUp();
    };
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    prompt();
    stdin.on('data', onData);
    stdin.once('end', onClosed);
    stdin.once('error', onClosed);
    stdin.resume();
  });
}

// ---------------------------------------------------------------------------------------------
// Display width and safe text

// East Asian Wide (W) and Fullwidth (F) ranges of Unicode 14 (EastAsianWidth.txt, via Python's
// unicodedata), plus the unassigned CJK blocks that default to W, with emoji left out (they
// are matched by \p{Emoji_Presentation}, which follows the runtime's Unicode version) and
// unassigned gaps merged. Ambiguous (A) characters count 1, as in non-CJK terminals.
const WIDE = [
  0x1100, 0x115f, 0x2329, 0x232a, 0x2e80, 0x2ffb, 0x3000, 0x303e, 0x3041, 0x31e3, 0x31f0, 0x3247,
  0x3250, 0x4dbf, 0x4e00, 0xa4c6, 0xa960, 0xa97c, 0xac00, 0xd7a3, 0xf900, 0xfaff, 0xfe10, 0xfe19,
  0xfe30, 0xfe6b, 0xff01, 0xff60, 0xffe0, 0xffe6, 0x16fe0, 0x16ff1, 0x17000, 0x187f7, 0x18800, 0x18cd5,
  0x18d00, 0x18d08, 0x1aff0, 0x1b122, 0x1b150, 0x1b152, 0x1b164, 0x1b2fb, 0x1f200, 0x1f265, 0x20000, 0x3fffd,
];

function isWide(cp) {
  let lo = 0;
  let hi = WIDE.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < WIDE[2 * mid]) hi = mid - 1;
    else if (cp > WIDE[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

// Zero width: combining marks, format characters (ZWJ, ZWSP, ...) but the soft hyphen, which
// terminals show (as wcwidth counts it), and Hangul medial/final jamo.
const ZERO_WIDTH = /^(?!\u00ad)[\p{Mn}\p{Me}\p{Cf}\u1160-\u11ff\ud7b0-\ud7ff]/u;
const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const segmenter = typeof Intl === 'object' && Intl.Segmenter ? new Intl.Segmenter('en', { granularity: 'grapheme' }) : null;

/** Columns one code point takes in a terminal (wcwidth's rule). */
function codePointWidth(ch) {
  const cp = ch.codePointAt(0);
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (ZERO_WIDTH.test(ch)) return 0;
  return isWide(cp) ? 2 : 1;
}

/**
 * Columns one grapheme cluster takes in a terminal. An emoji cluster (with its modifiers,
 * variation selector or ZWJ parts) is one 2-column picture; any other cluster takes what its
 * code points take, as terminals count them: a Thai or Devanagari spacing vowel is a column of
 * its own although it joins the cluster before it.
 */
function clusterWidth(cluster) {
  if (cluster.includes('\ufe0f') || (cluster.includes('\u200d') && PICTOGRAPHIC.test(cluster))) return 2; // emoji presentation, ZWJ sequences
  if (cluster.includes('\ufe0e')) return 1; // text presentation
  if (EMOJI_PRESENTATION.test(cluster)) return 2;
  let width = 0;
  for (const ch of cluster) width += codePointWidth(ch);
  return width;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Code units segmented at a time: V8's Intl.Segmenter takes time growing with the square of
// the text's length (a 1 MB job name in a table never finished).
const SEGMENT_SLICE = 256;

/** Display width of a string in terminal columns (wide = 2, combining/zero-width = 0, emoji = 2). */
function displayWidth(text) {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  if (!segmenter) {
    for (const ch of text) width += clusterWidth(ch);
    return width;
  }
  // A slice's last cluster may be cut short: it is measured with the next slice, which starts
  // at its first code unit. That is a cluster boundary, from which segmenting goes on as it
  // would over the whole text. (The boundary before it is right too, as the slice never ends
  // inside a surrogate pair: the code point after a boundary is all it looks ahead at.) A
  // cluster longer than a slice makes the slice longer, for that cluster only.
  for (let start = 0, size = SEGMENT_SLICE; start < text.length; ) {
    let end = start + size;
    if (isHighSurrogate(text.charCodeAt(end - 1)) && isLowSurrogate(text.charCodeAt(end))) end++;
    const whole = end >= text.length;
    const segments = segmenter.segment(text.slice(start, end))[Symbol.iterator]();
    if (size > SEGMENT_SLICE) {
      const { value: first } = segments.next();
      const second = segments.next();
      if (second.done && !whole) {
        size *= 2; // still no end to it in sight
        continue;
      }
      width += clusterWidth(first.segment);
      if (second.done) return width;
      start += second.value.index;
      size = SEGMENT_SLICE;
      continue;
    }
    let last = null;
    for (const segment of segments) {
      if (last) width += clusterWidth(last.segment);
      last = segment;
    }
    if (whole) return width + clusterWidth(last.segment);
    if (last.index === 0) size *= 2;
    else start += last.index;
  }
  return width;
}

// Characters that would let server data drive the terminal, break the layout or pass for
// other text: controls (escape sequences, newlines; C0 and C1), line separators, format
// characters and those Unicode calls default-ignorable (bidirectional overrides and isolates,
// zero-width spaces, the BOM, tags, the combining grapheme joiner, unassigned ones a newer
// Unicode may use) and the blank ones (Hangul fillers, the braille blank): a job named `deploy`
// plus one of these looks like `deploy`. Not the soft hyphen, a word's break point. Joiners join
// emoji and shape scripts: escaped only beside ASCII or at an end, where they can only hide.
// Variation selectors choose the look of the character before them: escaped after ASCII or at
// the start, where they change nothing seen, but for a keycap's (1️⃣: a digit, #, or *, then
// the selector and U+20E3).
const VARIATION_SELECTORS = '[\\u180b-\\u180d\\u180f\\ufe00-\\ufe0f\\u{e0100}-\\u{e01ef}]';
const UNSAFE = new RegExp([
  '[\\p{Cc}\\u2028\\u2029\\u2800]',
  `(?![\\u00ad\\u200c\\u200d]|${VARIATION_SELECTORS})[\\p{Cf}\\p{Default_Ignorable_Code_Point}\\u115f\\u1160\\u3164\\uffa0]`,
  '(?<![^\\0-\\x7f])[\\u200c\\u200d]',
  '[\\u200c\\u200d](?![^\\0-\\x7f])',
  `(?<![^\\0-\\x7f])(?<![0-9#*])${VARIATION_SELECTORS}`,
  `(?<=[0-9#*])${VARIATION_SELECTORS}(?!\\u20e3)`,
].join('|'), 'gu');
const NAMED_ESCAPES = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Text safe to print on one terminal line: unsafe characters become visible escapes. */
function printable(text) {
  return String(text).replace(UNSAFE, (ch) => {
    if (NAMED_ESCAPES[ch]) return NAMED_ESCAPES[ch];
    const code = ch.codePointAt(0);
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
    return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Text as the server sent it, for the table: its own backslashes doubled, so that a name sent
 *  as `a\n` (a backslash and an n) cannot pass for one holding a newline, which printable()
 *  shows as `a\n` (the name is shown `a\\n`). Not JSON the table writes, whose escapes are
 *  already unambiguous. */
const withBackslashesDoubled = (text) => String(text).replaceAll('\\', '\\\\');

function padEnd(text, width) {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

// ---------------------------------------------------------------------------------------------
// Output

/** The parameters cell: `raw` for the server's own text (keys, string values, or the raw text
 *  when it is no object), `redactJsonText` for the JSON text of other values. */
function formatParams(job, raw, redactJsonText) {
  const params = job.lastJobParams;
  if (params === null) return raw(job.lastJobParamsRaw); // not a JSON object: shown as sent
  const entries = Object.entries(params);
  if (entries.length === 0) return '-';
  return entries.map(([key, value]) => `${raw(key)}=${typeof value === 'string' ? raw(value) : jsonOrRaw(value, job, raw, redactJsonText)}`).join(', ');
}

/** JSON text of a parameter value; the job's raw text when the value is too deep to stringify. */
function jsonOrRaw(value, job, raw, redactJsonText) {
  try {
    return redactJsonText(JSON.stringify(value));
  } catch {
    return raw(job.lastJobParamsRaw); // JSON.stringify recurses: thousands of levels overflow it
  }
}

/**
 * The result as JSON text. `lastJobParams` was parsed from `lastJobParamsRaw`, so that text is
 * a faithful stand-in when the parsed value is too deep for JSON.stringify.
 */
function resultJson(result) {
  // JSON.stringify escapes C0 controls only: C1 controls, bidirectional overrides and line
  // separators from the server would reach the terminal as they are. Escaped, it is the same JSON.
  return terminalSafe(jsonText(result));
}

// What JSON.stringify leaves as it is and could drive the terminal (it escapes C0 itself): C1
// controls, bidirectional controls, line separators. Not the invisible characters the table
// escapes: --json is the exact data.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
const terminalSafe = (json) => json.replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The answer's text as the result holds it: the request id, and each job's name, identifier and
 * parameters as sent (the parsed parameters come from that text, so it holds all they hold).
 */
function* answerStrings(result) {
  yield result.requestId ?? '';
  for (const job of result.jobs) {
    yield job.jobName;
    yield job.identifier;
    yield job.lastJobParamsRaw;
  }
}

/**
 * Written as `JSON.stringify(result, null, 2)` would, except within parameter values, which are
 * compact: indented, nested parameters make text growing with the square of their depth (one
 * 8 KB job printed as 2 MB).
 */
function jsonText(result) {
  const jobs = result.jobs.map((job) => {
    const fields = [
      ['jobName', JSON.stringify(job.jobName)],
      ['identifier', JSON.stringify(job.identifier)],
      ['lastJobId', JSON.stringify(job.lastJobId)],
      ['lastJobParams', paramsJson(job)],
      ['lastJobParamsRaw', JSON.stringify(job.lastJobParamsRaw)],
    ];
    return `    {\n${fields.map(([name, value]) => `      "${name}": ${value}`).join(',\n')}\n    }`;
  });
  return `{\n  "requestId": ${JSON.stringify(result.requestId)},\n  "jobs": ${jobs.length === 0 ? '[]' : `[\n${jobs.join(',\n')}\n  ]`}\n}`;
}

/** A job's parameters, one per line, each value compact JSON; the text as sent if one is too deep to stringify. */
function paramsJson(job) {
  if (job.lastJobParams === null) return 'null';
  const entries = Object.entries(job.lastJobParams);
  if (entries.length === 0) return '{}';
  try {
    return `{\n${entries.map(([key, value]) => `        ${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(',\n')}\n      }`;
  } catch {
    return job.lastJobParamsRaw; // JSON.stringify recurses: thousands of levels overflow it
  }
}

const MAX_PADDED_COLUMNS = 80;

/** `text` without the spaces it ends with. (`/ +$/` tries again from each space of a run not at the end: quadratic in a padded cell's width.) */
function withoutTrailingSpaces(text) {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
  return text.slice(0, end);
}

/** The listing as an aligned table; `redact` goes over each cell first, so the widths are those shown. */
function formatTable(result, pipelineId, category, redact) {
  const requestLine = `Request ID: ${result.requestId === null ? '(none)' : printable(withBackslashesDoubled(result.requestId))}`;
  if (result.jobs.length === 0) {
    return `No jobs in pipeline ${printable(pipelineId)} (category ${printable(category)}).\n${requestLine}\n`;
  }
  const header = ['JOB NAME', 'IDENTIFIER', 'LAST JOB ID', 'PARAMETERS'];
  // Each piece of the server's text redacted as it is, before escaping can change how a secret
  // in it is spelt; and each cell once more, whole.
  const raw = (text) => withBackslashesDoubled(redact(text));
  const rows = result.jobs.map((job) => [
    job.jobName === '' ? '-' : raw(job.jobName),
    raw(job.identifier),
    job.lastJobId === null ? '-' : String(job.lastJobId),
    formatParams(job, raw, redact),
  ].map((cell) => printable(redact(cell))));
  // A loop, not Math.max(...rows): spreading 100,000+ arguments overflows the stack. Padded to
  // at most MAX_PADDED_COLUMNS: a wider cell overflows its column, as every row padded to it
  // would make output growing with rows × width (one 100,000-character name in a big answer
  // ran the process out of memory).
  const widths = header.map((title, col) =>
    Math.min(MAX_PADDED_COLUMNS, rows.reduce((widest, row) => Math.max(widest, displayWidth(row[col])), displayWidth(title))));
  const line = (cells) =>
    withoutTrailingSpaces(cells.map((cell, col) => (col === cells.length - 1 ? cell : padEnd(cell, widths[col]))).join('  '));
  const count = `${result.jobs.length} job${result.jobs.length === 1 ? '' : 's'}`;
  return `${[header, ...rows].map(line).join('\n')}\n\n${count}. ${requestLine}\n`;
}

/** One line describing an error: class, code, message, request id. */
function describeError(error, endpoint) {
  const name = typeof error.name === 'string' ? error.name : 'Error';
  const code = typeof error.code === 'string' ? error.code : '';
  let message = typeof error.message === 'string' ? error.message : String(error);
  // The package's messages start with their code and name the request id, if any. No search
  // for them in the message: all three are the server's text, of any length, and
  // String.prototype.includes takes time growing with the product of two lengths (a long
  // repetitive request id in a long message took hours).
  // (A code of over 2,000 characters starts the message cut short.)
  if (code && !message.startsWith(code.length > 2000 ? code.slice(0, 2000) : `${code}:`)) message = `${code}: ${message}`;
  // The package's advice names an option of its API that the command line does not have.
  message = message.replace('use https:// or set allowInsecureHttp: true', 'use https:// (the command line sends plain http:// to this machine only)');
  if ((name === 'NetworkError' || name === 'TimeoutError') && endpoint) message += ` [endpoint ${endpoint}]`;
  return code === name || message.startsWith(`${name}:`) ? message : `${name} ${message}`;
}

/** The scheme, host and path of an endpoint, for messages (never user info or a query). */
function endpointForMessage(endpoint) {
  if (endpoint === undefined) return undefined;
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Spinner

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Shows a spinner on a terminal stderr once `delayMs` have passed; returns its stop function. */
function startSpinner(stream, text, delayMs = 300) {
  if (!stream.isTTY || process.env.TERM === 'dumb') return () => {};
  let frame = 0;
  let shown = false;
  let interval = null;
  const draw = () => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${text}`);
  const timer = setTimeout(() => {
    shown = true;
    draw();
    interval = setInterval(draw, 80);
    interval.unref();
  }, delayMs);
  timer.unref();
  return () => {
    clearTimeout(timer);
    if (interval) clearInterval(interval);
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
}

// ---------------------------------------------------------------------------------------------
// Main

function version() {
  try {
    return require('../package.json').version;
  } catch {
    return 'unknown';
  }
}

async function runList(args, io) {
  if (asksForHelp(args)) {
    io.out(LIST_HELP);
    return EXIT.ok;
  }
  // (`--help` never reaches the parser as a flag: asksForHelp reads the arguments by its rules.)
  const parsed = parseListArgs(args);
  const { positionals, values, flags } = parsed;
  if (positionals.length < 2) {
    throw new UsageError(`list needs <organizationId> and <pipelineId>${positionals.length ? ' (got one argument)' : ''}`);
  }
  if (positionals.length > 2) {
    // With a credential on the command line, a stray word may be a secret whose flag was left out.
    const shown = parsed.credentialOrder.length > 0
      ? '(not shown, as credentials are on this command line: a category goes with --category, each credential with its flag)'
      : printable(withoutValue(positionals[2]));
    throw new UsageError(`unexpected argument ${shown}`);
  }
  const [organizationId, pipelineId] = positionals;
  if (values.edition !== undefined && values.edition !== 'center' && values.edition !== 'region') {
    throw new UsageError(`--edition must be center or region, not ${printable(values.edition)}`);
  }
  // The package's own limits, checked here so the message names the flag.
  const timeoutMs = values.timeout === undefined ? undefined : integerFlag('--timeout', values.timeout, 1, Number.MAX_SAFE_INTEGER);
  const maxRetries = values.retries === undefined ? undefined : integerFlag('--retries', values.retries, 0, 10);

  const credentials = await resolveCredentials(parsed, io.env, stdinLines);
  io.addSecrets(credentials.secrets);
  if (credentials.warning) io.err(`${PROGRAM}: ${credentials.warning}`);
  if (values.edition !== undefined && !credentials.isToken) {
    throw new UsageError(EDITION_WITHOUT_TOKEN);
  }

  let pkg;
  try {
    pkg = require('../node/index.cjs');
  } catch (error) {
    io.err(`${PROGRAM}: cannot load the package's Node build next to this script (${error.code ?? 'error'}); is the installation complete?`);
    return EXIT.internal;
  }

  const options = { ...credentials.options, signal: io.signal, userAgent: `${PROGRAM}-cli/${version()}` };
  if (values.endpoint !== undefined) options.endpoint = values.endpoint;
  if (values.edition !== undefined) options.edition = values.edition;
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
  if (maxRetries !== undefined) options.maxRetries = maxRetries;

  const stopSpinner = startSpinner(process.stderr, 'listing pipeline jobs…');
  io.callStarted(stopSpinner);
  let result;
  try {
    result = await pkg.listPipelineJobs(organizationId, pipelineId, values.category, options);
  } catch (error) {
    stopSpinner();
    io.callEnded();
    if (io.interrupted()) return EXIT.interrupted;
    if (error instanceof pkg.YunxiaoError) {
      const line = describeError(error, endpointForMessage(values.endpoint));
      // The server's words (message, code, request id) may hold an escaped echo too.
      io.err(io.holdsEscapedSecret([line])
        ? `${PROGRAM}: ${error.name} (HTTP ${error.status}): the answer held a credential written with JSON escapes (\\u…), or escapes nested past ${MAX_ESCAPE_LEVELS} levels: its message, code and request id are not shown`
        : `${PROGRAM}: ${line}`);
      return EXIT_BY_CLASS[error.name] ?? EXIT.internal;
    }
    throw error;
  }
  stopSpinner();
  io.callEnded();
  if (io.holdsEscapedSecret(answerStrings(result))) {
    io.err(`${PROGRAM}: the answer holds a credential written with JSON escapes (\\u…), which whoever parses the output would get back, or escapes nested past ${MAX_ESCAPE_LEVELS} levels, which are not searched: not printed`);
    return EXIT.invalidResponse;
  }
  if (flags.json) {
    io.out(`${resultJson(result)}\n`);
  } else {
    const category = (values.category ?? 'DEPLOY').trim().toUpperCase();
    io.out(formatTable(result, pipelineId, category, io.redact));
  }
  return EXIT.ok;
}

async function main(argv, io) {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.errText(PROGRAM_HELP);
    return EXIT.usage;
  }
  if (command === '--help' || command === '-h') {
    io.out(PROGRAM_HELP);
    return EXIT.ok;
  }
  if (command === '--version' || command === '-V') {
    io.out(`${version()}\n`);
    return EXIT.ok;
  }
  if (command === 'help') {
    if (rest.length === 0 || (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h'))) io.out(PROGRAM_HELP);
    else if (rest.length === 1 && rest[0] === 'list') io.out(LIST_HELP);
    else throw new UsageError(`no help for ${printable(rest.join(' '))}`);
    return EXIT.ok;
  }
  if (command === 'list') return runList(rest, io);
  // An option of list's given before it (`--json list …`): say where options go.
  const name = command.split('=')[0];
  if (Object.hasOwn(BOOLEAN_FLAGS, name) || Object.hasOwn(VALUE_FLAGS, name)) {
    throw new UsageError(`${name} goes after the command: ${PROGRAM} list <organizationId> <pipelineId> ${name}…`);
  }
  throw new UsageError(`unknown command ${printable(withoutValue(command))} (commands: list, help)`);
}

/**
 * The credentials this command line and environment give, found before anything is parsed: a
 * message about another argument (a token pasted where a number goes, or as a stray word) must
 * not print one. (`-` is read from stdin later, and added then.)
 */
function credentialsGiven(argv, env) {
  const found = ENV_SECRETS.map((name) => env[name]);
  const secretFlags = Object.keys(CREDENTIAL_FLAGS).filter((flag) => flag !== '--access-key-id');
  for (const [i, arg] of argv.entries()) {
    for (const flag of secretFlags) {
      if (arg === flag && canBeValue(argv[i + 1])) found.push(argv[i + 1]);
      else if (arg.startsWith(`${flag}=`)) found.push(arg.slice(flag.length + 1));
    }
  }
  return found.filter((value) => typeof value === 'string' && value !== '-');
}

function start() {
  // The credentials' spellings: as given, echoed (see echoedForms), and each as --json writes
  // it: what output redaction removes, longest first.
  const spellings = [];
  const redactWith = (forms, text) => {
    let out = text;
    for (const form of forms) out = out.split(form).join('[REDACTED]');
    return out;
  };
  const patterns = []; // each credential as given and trimmed, in any mix of escapes and case
  // The patterns first: they hide echoes that overlap whole, which the forms one at a time would not.
  const redact = (text) => redactWith(spellings, withoutEchoes(text, patterns));
  const controller = new AbortController();
  let interrupted = false;
  let stopCall = null; // set while a call is in flight: stops its spinner
  // Everything this process writes goes through the redaction once the secrets are known:
  // stdout (a server may echo a secret in job data), and stderr, which Node's own debug output
  // (NODE_DEBUG=http prints request headers) writes to as well.
  // Signatures too, which that debug output shows in the authorization header (V3 and V1 forms).
  const writeStderr = process.stderr.write.bind(process.stderr);
  const redactStderr = (text) =>
    redact(text).replace(/(Signature=)[0-9a-fA-F]+|(acs [^\s:'"]+:)[A-Za-z0-9+/]+=*/g, (_, v3, v1) => `${v3 ?? v1}[REDACTED]`);
  process.stderr.write = (chunk, ...rest) =>
    writeStderr(spellings.length > 0 && (typeof chunk === 'string' || Buffer.isBuffer(chunk)) ? redactStderr(String(chunk)) : chunk, ...rest);
  const io = {
    env: process.env,
    signal: controller.signal,
    redact,
    // Redaction finds a secret as it is spelt. Written with JSON escapes (`\u0045…`), it passes,
    // and whoever parses a string of the output as JSON (`lastJobParamsRaw` is JSON text, its
    // escapes kept) gets it back. Only strings with a backslash can hide one.
    // Not redacted first with the forms as --json writes them: that form in an answer is a
    // credential JSON-escaped, which --json escapes once more, past what redaction finds.
    holdsEscapedSecret: (strings) => {
      for (const text of strings) if (text.includes('\\') && revealsEchoWhenUnescaped(withoutEchoes(text, patterns), patterns)) return true;
      return false;
    },
    out: (text) => process.stdout.write(redact(text)),
    // An error line: secrets removed (defence in depth: the package keeps them out of its
    // errors), then made one printable line (a server message may hold newlines or escape
    // sequences; escaping first would hide a secret that holds such a character).
    err: (line) => process.stderr.write(`${printable(redact(line))}\n`),
    errText: (text) => process.stderr.write(text),
    // Secrets of 4+ characters, as in the package: a 1-character "secret" would shred every line.
    // The trimmed form too: HTTP trims header values, so that is what a server echoes.
    addSecrets: (list) => {
      for (const s of list) {
        if (typeof s !== 'string') continue;
        const given = [...new Set([s, s.trim()])].filter((form) => form.length >= 4);
        patterns.push(...given.map(echoPattern));
        const echoed = given.flatMap(echoedForms).filter((form) => form.length >= 4);
        // Each as --json writes it too: one with a `"`, `\\` (`\/`), a control character or a
        // character terminalSafe escapes (U+2028, C1, bidi) gains backslashes.
        spellings.push(...new Set(echoed.flatMap((form) => [form, terminalSafe(JSON.stringify(form).slice(1, -1))])));
      }
      spellings.sort((a, b) => b.length - a.length);
    },
    callStarted: (stop) => {
      stopCall = stop;
    },
    callEnded: () => {
      stopCall = null;
    },
    interrupted: () => interrupted,
  };

  // Each request's signature, from Node's own channel for outgoing requests (the one tracing
  // tools read): a server may echo it in job data, which goes to stdout.
  diagnosticsChannel.subscribe('http.client.request.start', ({ request }) => {
    try {
      const signature = signatureOf(request.getHeader('authorization'));
      if (signature) io.addSecrets([signature]);
    } catch {}
  });

  // The terminal as it was found: no spinner left on its line, echo back on after a hidden
  // prompt, and the prompt's line ended. A terminal that has hung up refuses it: nothing to restore.
  const restoreTerminal = () => {
    stopCall?.();
    try {
      if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
    } catch {}
    if (promptLineOpen) process.stderr.write('\n');
    promptLineOpen = false;
  };
  // Ctrl-C: abort the call in flight (the package rejects it at once), then exit 130. Outside a
  // call (reading stdin), or on a second Ctrl-C, exit at once.
  process.on('SIGINT', () => {
    if (interrupted || !stopCall) {
      restoreTerminal();
      process.exit(EXIT.interrupted);
    }
    interrupted = true;
    stopCall();
    process.stderr.write(`${PROGRAM}: interrupted\n`);
    controller.abort(new Error('interrupted'));
    setTimeout(() => process.exit(EXIT.interrupted), 1000).unref();
  });
  // Other signals that end it: the terminal as it was found, which Node's default leaves as it
  // is for SIGHUP and SIGQUIT. SIGTERM (timeout(1)) and SIGQUIT (Ctrl-\\) exit 128 + their number
  // (SIGQUIT's own action would write a core dump, credentials in it); a hang-up ends the process
  // by SIGHUP (endByHangUp), its terminal most likely gone.
  for (const [signal, number] of [['SIGTERM', 15], ['SIGQUIT', 3]]) {
    process.on(signal, () => {
      restoreTerminal();
      process.exit(128 + number);
    });
  }
  process.on('SIGHUP', () => {
    restoreTerminal();
    endByHangUp();
  });
  // A closed stderr (`2>&1 >/dev/null | true`) loses the messages, not the exit status.
  process.stderr.on('error', () => {});
  // A closed stdout (`| head`) is not an error worth a stack trace; nor is a full disk.
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    process.stderr.write(`${PROGRAM}: cannot write the output (${error.code ?? 'error'})\n`);
    process.exit(EXIT.internal);
  });

  io.addSecrets(credentialsGiven(process.argv.slice(2), process.env));
  main(process.argv.slice(2), io)
    .catch((error) => {
      if (error instanceof UsageError) {
        io.err(`${PROGRAM}: ${error.message} (see "${PROGRAM} --help")`);
        return EXIT.usage;
      }
      io.err(`${PROGRAM}: internal error: ${error && error.message ? error.message : String(error)}`);
      return EXIT.internal;
    })
    .then((code) => {
      process.exitCode = interrupted ? EXIT.interrupted : code;
      if (interrupted) process.exit(EXIT.interrupted);
    });
}

if (require.main === module) start();

// For the tests (tests/cli/cli.test.mjs).
module.exports = { displayWidth, printable };
