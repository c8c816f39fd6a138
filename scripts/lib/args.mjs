// The command line of equimol's scripts, parsed by Node's util.parseArgs: named positionals, typed
// options with defaults, and one "usage:" line with exit status 2 for anything else.
import { parseArgs } from 'node:util';

/**
 * Parses process.argv for a script. `positionals` names the required arguments in order (a trailing
 * "..." takes the rest, at least one); `options` maps each --name to { type, default }, where type is
 * 'string', 'number', 'boolean', 'numbers' or 'strings' (the last two comma-separated).
 */
export function parseScriptArgs({ usage, positionals = [], options = {} }, argv = process.argv.slice(2)) {
  const fail = (why) => {
    console.error(`${why}\nusage: ${usage}`);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type === 'boolean' ? 'boolean' : 'string' }])),
    });
  } catch (err) {
    fail(err.message);
  }
  const out = {};
  const rest = positionals.at(-1)?.endsWith('...');
  const named = rest ? positionals.slice(0, -1) : positionals;
  if (parsed.positionals.length < positionals.length || (!rest && parsed.positionals.length > positionals.length)) {
    fail(`expected ${positionals.join(' ')}, got ${parsed.positionals.length} argument(s)`);
  }
  named.forEach((name, i) => (out[name] = parsed.positionals[i]));
  if (rest) out[positionals.at(-1).slice(0, -3)] = parsed.positionals.slice(named.length);
  for (const [name, o] of Object.entries(options)) {
    const given = parsed.values[name];
    if (o.type === 'boolean') {
      out[name] = given ?? o.default ?? false;
      continue;
    }
    const text = given ?? (o.default === undefined ? undefined : String(o.default));
    if (text === undefined) continue;
    const number = (t) => {
      const v = Number(t);
      if (t.trim() === '' || Number.isNaN(v)) fail(`--${name}: ${t} is not a number`);
      return v;
    };
    out[name] =
      o.type === 'number' ? number(text) : o.type === 'numbers' ? text.split(',').map(number) : o.type === 'strings' ? text.split(',') : text;
  }
  return out;
}
