import fc from 'fast-check';
import { FlashBuffer } from './flash-buffer.js';

const item = (seq: number): string => `{"channel":"telemetry","seq":${seq},"ts":1773532800000,"open":false}`;
const seqs = (payload: string): number[] => (JSON.parse(payload) as { items: { seq: number }[] }).items.map((i) => i.seq);

describe('FlashBuffer', () => {
  it('drops and counts the oldest items when full', () => {
    const flash = new FlashBuffer(3);
    for (let i = 0; i < 5; i++) flash.push(item(i));
    expect(flash.size).toBe(3);
    expect(flash.dropped).toBe(2);
    expect(seqs(flash.peekBatch()!.payload)).toEqual([2, 3, 4]);
  });

  it('drops the oldest telemetry first and keeps events', () => {
    const event = (seq: number): string => `{"channel":"event","seq":${seq},"ts":1773532800000,"event":"door_open"}`;
    const flash = new FlashBuffer(3);
    flash.push(event(0));
    flash.push(item(1));
    flash.push(item(2));
    flash.push(event(3));
    flash.push(event(4));
    expect(seqs(flash.peekBatch()!.payload)).toEqual([0, 3, 4]);
    flash.push(event(5)); // no telemetry left: the oldest item goes
    expect(seqs(flash.peekBatch()!.payload)).toEqual([3, 4, 5]);
    expect(flash.dropped).toBe(3);
  });

  it('batches oldest first within the item limit and removes items only on commit', () => {
    const flash = new FlashBuffer(10_000);
    for (let i = 0; i < 1_200; i++) flash.push(item(i));
    const first = flash.peekBatch(500)!;
    expect(first.count).toBe(500);
    expect(seqs(first.payload)[0]).toBe(0);
    expect(flash.peekBatch(500)!.payload).toBe(first.payload); // not acknowledged: the same batch again
    flash.commit(first.count);
    expect(seqs(flash.peekBatch(500)!.payload).slice(0, 2)).toEqual([500, 501]);
  });

  it('keeps a batch under the byte limit', () => {
    const flash = new FlashBuffer(100);
    for (let i = 0; i < 100; i++) flash.push(item(i));
    const batch = flash.peekBatch(500, 1_000)!;
    expect(Buffer.byteLength(batch.payload)).toBeLessThanOrEqual(1_000);
    expect(batch.count).toBeGreaterThan(5);
  });

  it('puts messages that lost their connection back in front, in order', () => {
    const flash = new FlashBuffer(10);
    flash.push(item(5));
    flash.unshiftAll([item(3), item(4)]);
    expect(seqs(flash.peekBatch()!.payload)).toEqual([3, 4, 5]);
  });

  it('uploads every pushed item exactly once, oldest first (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant('push'), fc.integer({ min: 1, max: 7 })), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (ops, capacity) => {
        const flash = new FlashBuffer(capacity);
        const uploaded: number[] = [];
        let next = 0;
        for (const op of ops) {
          if (op === 'push') flash.push(item(next++));
          else {
            const batch = flash.peekBatch(op);
            if (batch) {
              uploaded.push(...seqs(batch.payload));
              flash.commit(batch.count);
            }
          }
        }
        for (let b = flash.peekBatch(); b; b = flash.peekBatch()) {
          uploaded.push(...seqs(b.payload));
          flash.commit(b.count);
        }
        expect(uploaded.length + flash.dropped).toBe(next);
        expect([...uploaded].sort((a, b) => a - b)).toEqual(uploaded);
        expect(new Set(uploaded).size).toBe(uploaded.length);
      }),
    );
  });
});
