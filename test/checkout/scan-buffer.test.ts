// The scan buffer as pure code: every code a scanner types becomes exactly one submit, however
// the terminal cuts the input into chunks.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { EMPTY_BUFFER, feedAll, feedInput, type BufferEvent, type ScanBufferState } from '../../src/core/scan-buffer.js';

function feedChunks(chunks: string[], start: ScanBufferState = EMPTY_BUFFER) {
  let state = start;
  const events: BufferEvent[] = [];
  for (const c of chunks) {
    const r = feedAll(state, c);
    state = r.state;
    events.push(...r.events);
  }
  return { state, events, submits: events.filter((e) => e.type === 'submit').map((e) => (e as { text: string }).text) };
}

describe('scan buffer', () => {
  test('a burst of two codes in one chunk is two scans', () => {
    expect(feedChunks(['6901234567892\r6920152400777\r']).submits).toEqual(['6901234567892', '6920152400777']);
  });

  test('a code split over several chunks is one scan', () => {
    const r = feedChunks(['69012', '3456', '7892', '\r']);
    expect(r.submits).toEqual(['6901234567892']);
    expect(r.state.text).toBe('');
  });

  test('the rest of a chunk after Enter starts the next code', () => {
    const r = feedChunks(['6901234567892\r69201', '52400777\r']);
    expect(r.submits).toEqual(['6901234567892', '6920152400777']);
  });

  test('CRLF and LF scanners: one Enter per code, even when \\r and \\n arrive apart', () => {
    expect(feedChunks(['6901234567892\r\n6920152400777\r\n']).submits).toEqual(['6901234567892', '6920152400777']);
    expect(feedChunks(['6901234567892\r', '\n6920152400777\n']).submits).toEqual(['6901234567892', '6920152400777']);
    // Two Enters pressed by a person are two submits (the second one, empty, opens payment).
    expect(feedChunks(['123\r', '\r']).submits).toEqual(['123', '']);
  });

  test('backspace edits what is typed; a CJK character goes in one step', () => {
    expect(feedChunks(['1239\x7f', '4\r']).submits).toEqual(['1234']);
    expect(feedChunks(['可乐', '\x7f', '\r']).submits).toEqual(['可']);
  });

  test('keys inside a chunk stay in order with the text around them', () => {
    const { events } = feedAll(EMPTY_BUFFER, '1001\t1111\r');
    expect(events).toEqual([
      { type: 'edit', text: '1001' },
      { type: 'key', seq: '\t' },
      { type: 'submit', text: '10011111' },
    ]);
    // feedInput stops at the key so the caller can act before reading on (e.g. switch fields).
    const first = feedInput(EMPTY_BUFFER, '1001\t1111\r');
    expect(first.events.at(-1)).toEqual({ type: 'key', seq: '\t' });
    expect(first.next).toBe(5);
  });

  test('keys pressed quickly in one chunk are each a key: Esc then Del, two arrows, a code then F10', () => {
    const keys = (chunk: string) => feedAll(EMPTY_BUFFER, chunk).events.filter((e) => e.type === 'key').map((e) => (e as { seq: string }).seq);
    expect(keys('\x1b\x1b[3~')).toEqual(['\x1b', '\x1b[3~']);
    expect(keys('\x1b[A\x1b[B')).toEqual(['\x1b[A', '\x1b[B']);
    expect(keys('\x1bOP\x1b')).toEqual(['\x1bOP', '\x1b']);
    const mixed = feedAll(EMPTY_BUFFER, '6901234567892\r\x1b[21~').events;
    expect(mixed).toEqual([{ type: 'submit', text: '6901234567892' }, { type: 'key', seq: '\x1b[21~' }]);
  });

  test('an escape sequence is one key', () => {
    expect(feedAll(EMPTY_BUFFER, '\x1bOP').events).toEqual([{ type: 'key', seq: '\x1bOP' }]);
  });

  test('any codes cut anywhere, with CR, LF or CRLF: exactly the same codes come out', () => {
    const code = fc.stringMatching(/^[0-9A-Z-]{1,20}$/);
    fc.assert(
      fc.property(fc.array(code, { minLength: 1, maxLength: 30 }), fc.constantFrom('\r', '\n', '\r\n'), fc.array(fc.nat(), { maxLength: 40 }), (codes, eol, cuts) => {
        const stream = codes.map((c) => c + eol).join('');
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(stream.slice(prev, p));
          prev = p;
        }
        chunks.push(stream.slice(prev));
        expect(feedChunks(chunks.filter((c) => c !== '')).submits).toEqual(codes);
      }),
    );
  });
});
