/**
 * Shell words for the commands the tool prints and writes. Ids, names and CIDRs come from a
 * snapshot, which is input, not trusted text: every word of every command goes through
 * `shellQuote`, so pasting a command into a POSIX shell runs exactly that command.
 */

/** Characters a POSIX shell gives no special meaning to inside a word (not the first one). */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One shell word: bare when every character is plain, else in POSIX single quotes, in which no
 * character is special (XCU 2.2.2); a single quote itself is written `'\''`.
 */
export function shellQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line from its argument vector, each word quoted. */
export function shellCommand(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}

/**
 * A here-document delimiter that no line of the body equals, so the body cannot end it early
 * (XCU 2.7.4: the here-document ends at the first line that is exactly the delimiter). Quoted
 * (`<<'EOF'`) by the caller, so the body undergoes no expansion.
 */
export function heredocDelimiter(body: string, base: string): string {
  const lines = new Set(body.split(/\r?\n/));
  let delimiter = base;
  for (let i = 1; lines.has(delimiter); i += 1) delimiter = `${base}_${i}`;
  return delimiter;
}
