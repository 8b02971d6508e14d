/**
 * Loads a device type's fixture files (`devices/<type>/fixtures/*.json`) into
 * the descriptor's `fixtures`, checking their shape, and adds the fixtures that
 * are too big to keep as files: a full batch (MAX_BATCH_ITEMS items), one item
 * too many, and a batch past MAX_PACKET_BYTES. Those are built from the type's
 * own valid samples, so they stay real-looking when a sample changes.
 */
import { z } from 'zod';
import type { DeviceFixture, DeviceFixtures } from './device-type.js';
import { MAX_BATCH_ITEMS, MAX_PACKET_BYTES, REJECTION_REASONS } from './protocol.js';

const fixtureSchema = z.strictObject({
  name: z.string().min(1),
  channel: z.enum(['telemetry', 'event', 'status', 'batch']),
  payload: z.unknown(),
});
const invalidFixtureSchema = fixtureSchema.extend({ reason: z.enum(REJECTION_REASONS) });

export type InvalidDeviceFixture = DeviceFixture & { readonly reason: (typeof REJECTION_REASONS)[number] };

export interface FixtureFiles {
  readonly valid: unknown;
  readonly edge: unknown;
  readonly invalid: unknown;
}

export interface BacklogOptions {
  /** Which valid samples a buffered backlog repeats: the type's periodic channel, or its events. */
  readonly channel: 'telemetry' | 'event';
  /** Spacing of the buffered messages, in seconds (the telemetry interval, or a plausible event gap). */
  readonly stepS: number;
}

/**
 * @example
 * import valid from './fixtures/valid.json' with { type: 'json' };
 * fixtures: loadFixtures({ valid, edge, invalid }, { channel: 'telemetry', stepS: 10 })
 */
export function loadFixtures(files: FixtureFiles, backlog: BacklogOptions): DeviceFixtures {
  const valid = z.array(fixtureSchema).min(1).parse(files.valid);
  const edge = z.array(fixtureSchema).min(1).parse(files.edge);
  const invalid = z.array(invalidFixtureSchema).min(1).parse(files.invalid);
  const samples = valid.filter((f) => f.channel === backlog.channel).map((f) => f.payload);
  if (samples.length === 0) throw new Error(`loadFixtures: no valid ${backlog.channel} sample to build a backlog from`);

  // Built on first use: the backend imports descriptors too and never reads these.
  let derived: { edge: DeviceFixture[]; invalid: InvalidDeviceFixture[] } | undefined;
  const derive = (): NonNullable<typeof derived> => {
    derived ??= {
      edge: [
        {
          name: `full batch: ${MAX_BATCH_ITEMS} buffered ${backlog.channel} items after an outage`,
          channel: 'batch',
          payload: buildBacklog(backlog.channel, samples, MAX_BATCH_ITEMS, backlog.stepS),
        },
      ],
      invalid: [
        {
          name: `batch of ${MAX_BATCH_ITEMS + 1} items: the device did not split its backlog`,
          channel: 'batch',
          payload: buildBacklog(backlog.channel, samples, MAX_BATCH_ITEMS + 1, backlog.stepS),
          reason: 'too_large',
        },
        {
          name: `batch larger than ${MAX_PACKET_BYTES} bytes: a whole day's backlog in one publish`,
          channel: 'batch',
          payload: buildBacklog(backlog.channel, samples, itemsPastPacketLimit(backlog.channel, samples), backlog.stepS),
          reason: 'too_large',
        },
      ],
    };
    return derived;
  };
  return {
    valid,
    get edge() {
      return [...edge, ...derive().edge];
    },
    get invalid() {
      return [...invalid, ...derive().invalid];
    },
  };
}

/** The bytes a fixture is sent as: a string as-is (for "not JSON" cases), anything else as JSON. */
export function encodeFixturePayload(fixture: DeviceFixture): string {
  return typeof fixture.payload === 'string' ? fixture.payload : JSON.stringify(fixture.payload);
}

/** `count` buffered messages, oldest first, with consecutive seq and evenly spaced ts. */
function buildBacklog(channel: 'telemetry' | 'event', samples: readonly unknown[], count: number, stepS: number): { items: unknown[] } {
  const first = samples[0] as { seq: number; ts: number };
  const items = Array.from({ length: count }, (_, i) => ({
    channel,
    ...(samples[i % samples.length] as object),
    seq: (first.seq + i) % 0x1_0000_0000,
    ts: first.ts + i * stepS * 1000,
  }));
  return { items };
}

/** Enough items that the batch's JSON is larger than MAX_PACKET_BYTES even with the shortest sample. */
function itemsPastPacketLimit(channel: 'telemetry' | 'event', samples: readonly unknown[]): number {
  const shortest = Math.min(...samples.map((s) => JSON.stringify({ channel, ...(s as object) }).length));
  return Math.ceil(MAX_PACKET_BYTES / shortest) + 1;
}
