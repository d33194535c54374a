import { describe, expect, it } from 'vitest';
import { BufferRegistry, decodeUtf8ShowingRawBytes, NetprocBuffer, type BufferChange } from './buffers.js';

function buffer(cap = 1024): { b: NetprocBuffer; changes: BufferChange[] } {
  const changes: BufferChange[] = [];
  return { b: new NetprocBuffer('b', cap, (c) => changes.push({ ...c })), changes };
}

describe('buffers', () => {
  it('appends, reads by absolute range and counts revisions', () => {
    const { b, changes } = buffer();
    b.insert(b.end, Buffer.from('hello '), true);
    b.insert(b.end, Buffer.from('world'), true);
    expect(b.text()).toBe('hello world');
    expect(b.read(6, 11).toString()).toBe('world');
    expect(b.length).toBe(11);
    expect(b.revision).toBe(2);
    expect(changes.map((c) => c.inserted)).toEqual([6, 5]);
  });

  it('keeps many small appends in shared blocks and reads them back exactly', () => {
    const { b } = buffer(10_000_000);
    let expected = '';
    for (let i = 0; i < 5000; i++) {
      const piece = `line ${i}\n`;
      expected += piece;
      b.insert(b.end, Buffer.from(piece), true);
    }
    expect(b.text()).toBe(expected);
    expect(b.read(b.end - 10).toString()).toBe(expected.slice(-10));
  });

  it("keeps a buffer's first small text in a block of its size, and what follows after it; views taken before read the same", () => {
    const { b } = buffer(10_000);
    b.insert(b.end, Buffer.from('x'), true);
    const first = b.views();
    b.insert(b.end, Buffer.from('yz'), true);
    b.insert(b.end, Buffer.alloc(100, 'a'), true);
    expect(b.text()).toBe('xyz' + 'a'.repeat(100));
    expect(Buffer.concat(first).toString()).toBe('x');
    // After the cap trims into it, and after a clear, the next text again starts a block of its own.
    b.setCap(2);
    expect(b.text()).toBe('aa');
    b.insert(b.end, Buffer.from('b'), true);
    b.clear();
    b.insert(b.end, Buffer.from('c'), true);
    b.insert(b.end, Buffer.from('d'), true);
    expect(b.text()).toBe('cd');
    expect(b.read(b.origin, b.origin + 1).toString()).toBe('c');
  });

  it('reads what it holds after any mix of small and large appends, inserts inside, trims and reads', () => {
    // The tail block's last view is made lazily, so every way of reading after an append must see it whole.
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (const cap of [50_000, 700, 64]) {
      const { b } = buffer(cap);
      let model = '';
      const earlier: Array<{ views: Buffer[]; text: string }> = [];
      for (let step = 0; step < 3000; step++) {
        const op = random(20);
        const piece = String.fromCharCode(97 + (step % 26)).repeat(op === 0 ? 2100 : 1 + random(40));
        if (op <= 12) {
          b.insert(b.end, Buffer.from(piece), true);
          model += piece;
        } else if (op === 13 && b.length > 0) {
          const offset = random(b.length);
          b.insert(b.origin + offset, Buffer.from(piece), false);
          model = model.slice(0, offset) + piece + model.slice(offset);
        } else if (op === 14) {
          b.trimHead(random(b.length + 1));
          model = model.slice(model.length - b.length);
        } else if (op === 15 && step % 100 === 15) {
          b.clear();
          model = '';
        } else {
          const from = b.origin + random(b.length + 1);
          const to = from + random(b.end - from + 1);
          expect(b.read(from, to).toString()).toBe(model.slice(from - b.origin, to - b.origin));
          if (earlier.length < 50) earlier.push({ views: b.views(from, to), text: model.slice(from - b.origin, to - b.origin) });
        }
        if (model.length > cap) model = model.slice(model.length - cap);
        expect(b.length).toBe(model.length);
      }
      expect(b.text()).toBe(model);
      // A view handed out is never written over by what came after it.
      for (const { views, text } of earlier) expect(Buffer.concat(views).toString()).toBe(text);
    }
  });

  it('inserts in the middle, moving markers after the point, and at it only before-markers', () => {
    const { b } = buffer();
    b.insert(0, Buffer.from('abcdef'), true);
    const at3 = b.createMarker(3, false);
    const after = b.createMarker(5, false);
    b.insert(3, Buffer.from('XY'), false);
    expect(b.text()).toBe('abcXYdef');
    expect(at3.position).toBe(3);
    expect(after.position).toBe(7);
    b.insert(3, Buffer.from('Z'), true);
    expect(b.text()).toBe('abcZXYdef');
    expect(at3.position).toBe(4);
  });

  it('trims the head past the cap, counts trimmed bytes, and keeps offsets absolute', () => {
    const { b } = buffer(10);
    b.insert(b.end, Buffer.from('0123456789'), true);
    const m = b.createMarker(2);
    b.insert(b.end, Buffer.from('abcd'), true);
    expect(b.text()).toBe('456789abcd');
    expect(b.origin).toBe(4);
    expect(b.end).toBe(14);
    expect(b.trimmedBytes).toBe(4);
    expect(m.position).toBe(4);
    expect(b.read(0, 6).toString()).toBe('45');
    b.insert(b.end, Buffer.alloc(25, 'z'), true);
    expect(b.length).toBe(10);
    expect(b.trimmedBytes).toBe(29);
    expect(b.text()).toBe('z'.repeat(10));
  });

  it('clears without moving offsets back, and lowering the cap trims at once', () => {
    const { b } = buffer(100);
    b.insert(b.end, Buffer.from('abcdef'), true);
    b.clear();
    expect(b.length).toBe(0);
    expect(b.origin).toBe(6);
    b.insert(b.end, Buffer.from('0123456789'), true);
    b.setCap(4);
    expect(b.text()).toBe('6789');
    expect(() => b.setCap(0)).toThrow('Buffer cap must be a positive integer');
  });

  it('searches bytes forward and backward, and regular expressions over the text, in absolute offsets', async () => {
    const { b } = buffer(16);
    b.insert(b.end, Buffer.from('xxxxxxxx'), true);
    b.insert(b.end, Buffer.from('GET /a\r\nGET /b\r\n'), true);
    expect(b.origin).toBe(8);
    const bytes = (text: string) => ({ kind: 'bytes' as const, bytes: Buffer.from(text) });
    const regex = (source: string) => ({ kind: 'regex' as const, source, caseFold: false });
    expect(await b.search(bytes('GET'), 0)).toEqual({ start: 8, end: 11 });
    expect(await b.search(bytes('GET'), 9)).toEqual({ start: 16, end: 19 });
    expect(await b.search(bytes('GET'), b.end, true)).toEqual({ start: 16, end: 19 });
    expect(await b.search(bytes('GET'), 18, true)).toEqual({ start: 8, end: 11 });
    expect(await b.search(bytes('\r\n'), 0)).toEqual({ start: 14, end: 16 });
    expect(await b.search(regex('/[ab]'), 0)).toEqual({ start: 12, end: 14 });
    expect(await b.search(regex('/[ab]'), b.end, true)).toEqual({ start: 20, end: 22 });
    expect(await b.search(regex('zzz'), 0)).toBeNull();
    expect(await b.search({ kind: 'text', text: 'get /B', caseFold: true }, 0)).toEqual({ start: 16, end: 22 });
    b.clear();
    b.insert(b.end, Buffer.from('é=1'), true);
    expect(await b.search(regex('=\\d'), 0)).toEqual({ start: b.origin + 2, end: b.origin + 4 });
  });

  it('shows bytes that are not UTF-8 as octal escapes, as Emacs shows raw bytes', () => {
    expect(decodeUtf8ShowingRawBytes(Buffer.from([0x61, 0xe9, 0x62]))).toBe('a\\351b');
    expect(decodeUtf8ShowingRawBytes(Buffer.from('é\uFFFD', 'utf8'))).toBe('é\uFFFD');
  });

  it('remembers sentinel spans through inserts before them, trimming and clearing', () => {
    const { b } = buffer(40);
    b.insert(b.end, Buffer.from('data'), true);
    const at = b.insert(b.end, Buffer.from('\nProcess p deleted\n'), false) as number;
    b.markSentinel(at, at + 19);
    expect(b.sentinelSpansIn(0, b.end)).toEqual([[4, 23]]);
    expect(b.sentinelSpansIn(10, 12)).toEqual([[10, 12]]);
    b.insert(2, Buffer.from('XY'), true);
    expect(b.sentinelSpansIn(0, b.end)).toEqual([[6, 25]]);
    b.insert(b.end, Buffer.from('z'.repeat(30)), true);
    // 55 bytes with a cap of 40: the first 15 are gone, and the span starts where the buffer does.
    expect(b.origin).toBe(15);
    expect(b.sentinelSpansIn(0, b.end)).toEqual([[15, 25]]);
    b.clear();
    expect(b.sentinelSpansIn(0, b.end + 10)).toEqual([]);
  });

  it('registry: get-or-create by name, removal frees the name', () => {
    const reg = new BufferRegistry(100, () => undefined);
    const a = reg.getOrCreate('*a*');
    expect(reg.getOrCreate('*a*')).toBe(a);
    reg.remove(a);
    expect(reg.get('*a*')).toBeUndefined();
    expect(reg.getOrCreate('*a*')).not.toBe(a);
  });
});
