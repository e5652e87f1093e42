// The checkout's input line. A USB scanner types a code and a carriage return within a few
// milliseconds, and Ink hands us whatever the terminal read in one go: several codes with their
// "\r" in one string ("6901234567892\r6920152400777\r", key.return false), or one code split
// over several calls. Ink's own parser does not split "\r" out of a chunk, so this buffer does:
// every finished code becomes exactly one `submit`, never lost, merged or split, at any speed.
//
// It is pure: `feedInput(state, chunk)` returns the next state and the events, in order.
// Escape sequences (function keys, arrows) arrive from Ink as chunks of their own and are passed
// through as `key` events for the key map to name.

export interface ScanBufferState {
  /** What has been typed (or scanned) since the last Enter. */
  text: string;
  /** The last character seen was "\r": a "\n" right after it is the same Enter (CRLF scanners). */
  afterCR: boolean;
}

export type BufferEvent =
  /** Enter: the finished line (may be empty — Enter on an empty input means something too). */
  | { type: 'submit'; text: string }
  /** A key that is not text: an escape sequence or a control character (raw, e.g. "\x1bOP", "\x03"). */
  | { type: 'key'; seq: string }
  /** The text changed (typed characters or a backspace) and no Enter followed in this chunk. */
  | { type: 'edit'; text: string };

export const EMPTY_BUFFER: ScanBufferState = { text: '', afterCR: false };

/** Removes the last character (a whole code point, so a CJK character goes in one step). */
function dropLast(text: string): string {
  if (text === '') return text;
  const chars = Array.from(text);
  chars.pop();
  return chars.join('');
}

/**
 * Reads one chunk of terminal input from `start` up to and including the next Enter or key, and
 * returns the new state, the events (an optional `edit`, then at most one `submit` or `key`) and
 * where to continue. The caller handles those events before reading on, because a key may change
 * what the next characters are for (Tab moves to the PIN field, a dialog opens after a scan).
 */
export function feedInput(state: ScanBufferState, chunk: string, start = 0): { state: ScanBufferState; events: BufferEvent[]; next: number } {
  const events: BufferEvent[] = [];
  let { text, afterCR } = state;
  // An escape sequence is one key (Ink splits them out of the text before they reach us). Keys
  // pressed quickly may still share a chunk ("\x1b\x1b[3~": Esc, then Del): each complete
  // sequence is a key of its own, so neither is lost.
  if (chunk.startsWith('\x1b', start)) {
    const seq = escapeSequenceAt(chunk, start);
    return { state: { text, afterCR: false }, events: [{ type: 'key', seq }], next: start + seq.length };
  }
  let edited = false;
  let runStart = -1;
  const flushRun = (end: number) => {
    if (runStart >= 0) {
      text += chunk.slice(runStart, end);
      runStart = -1;
      edited = true;
    }
  };
  const done = (event: BufferEvent, next: number) => {
    // Before a submit the edit is not reported: the submitted line carries the text.
    if (edited && event.type === 'key') events.push({ type: 'edit', text });
    events.push(event);
    return { state: { text, afterCR }, events, next };
  };
  let i = start;
  while (i < chunk.length) {
    const code = chunk.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    if (code === 13 || code === 10) {
      if (code === 10 && afterCR) {
        afterCR = false;
        flushRun(i);
        i += 1;
        continue;
      }
      flushRun(i);
      const line = text;
      text = '';
      afterCR = code === 13;
      return done({ type: 'submit', text: line }, i + 1);
    }
    afterCR = false;
    if (code === 0x7f || code === 8) {
      flushRun(i);
      if (text !== '') {
        text = dropLast(text);
        edited = true;
      }
      i += 1;
      continue;
    }
    if (code < 0x20) {
      // Tab, Ctrl+C and other control characters are keys, in order with the text around them.
      flushRun(i);
      const seq = code === 0x1b ? escapeSequenceAt(chunk, i, false) : chunk[i];
      return done({ type: 'key', seq }, i + seq.length);
    }
    if (runStart < 0) runStart = i;
    i += width;
  }
  flushRun(i);
  if (edited) events.push({ type: 'edit', text });
  return { state: { text, afterCR }, events, next: chunk.length };
}

/**
 * The escape sequence at `start`: a CSI (ESC [ params final) or SS3 (ESC O x) key, or a lone Esc
 * when another Esc follows. Otherwise, at the start of a chunk, the rest of it (a sequence this
 * reader does not know stays one unknown key rather than turning into typed text); inside one,
 * a lone Esc.
 */
function escapeSequenceAt(chunk: string, start: number, wholeChunk = true): string {
  const rest = chunk.slice(start);
  const m = /^\x1b(?:\[[0-9;]*[~A-Za-z]|O[A-Za-z])/.exec(rest);
  if (m) return m[0];
  if (rest.startsWith('\x1b\x1b') || !wholeChunk) return '\x1b';
  return rest;
}

/** Feeds a whole chunk when nothing else touches the buffer in between (tests, the simulator). */
export function feedAll(state: ScanBufferState, chunk: string): { state: ScanBufferState; events: BufferEvent[] } {
  const events: BufferEvent[] = [];
  let next = 0;
  let s = state;
  do {
    const r = feedInput(s, chunk, next);
    s = r.state;
    events.push(...r.events);
    next = r.next;
  } while (next < chunk.length);
  return { state: s, events };
}

/** The line emptied (Esc, a finished dialog): keeps the CRLF memory so a late "\n" is not an Enter. */
export function clearBuffer(state: ScanBufferState): ScanBufferState {
  return { text: '', afterCR: state.afterCR };
}

export function setBufferText(state: ScanBufferState, text: string): ScanBufferState {
  return { text, afterCR: state.afterCR };
}
