/** Anything a line-based reader accepts: lines (sync or async) or raw text/byte chunks via `linesOf`. */
export type LineSource = Iterable<string> | AsyncIterable<string>;

/** Splits a text into lines, accepting `\n` and `\r\n` endings. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  // A final newline ends the last line; it does not start an empty one.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Lines of a stream of text or UTF-8 byte chunks (e.g. a `fetch` body or a decompressed file), with
 * `\n` or `\r\n` endings; chunk boundaries may fall anywhere, even inside a multi-byte character.
 */
export async function* linesOf(
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) !== -1) {
      const end = nl > start && pending.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield pending.slice(start, end);
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending.endsWith('\r')) pending = pending.slice(0, -1);
  if (pending !== '') yield pending;
}

/** The text of UTF-8 bytes (a whole file read into memory). */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}
