import { parseUplinkTopic, topics, UPLINK_CHANNELS } from './protocol.js';

describe('parseUplinkTopic', () => {
  it.each(UPLINK_CHANNELS.map((channel) => [channel] as const))('reads the device id and channel of anxin/v1/{id}/%s', (channel) => {
    expect(parseUplinkTopic(`anxin/v1/bed-000123/${channel}`)).toEqual({ deviceId: 'bed-000123', channel });
  });

  it('reads back every topic that topics.uplink builds', () => {
    for (const channel of UPLINK_CHANNELS) {
      expect(parseUplinkTopic(topics.uplink('watch-88', channel))).toEqual({ deviceId: 'watch-88', channel });
    }
  });

  it.each([
    ['the downlink command topic', 'anxin/v1/bed-000123/cmd'],
    ['another protocol version', 'anxin/v2/bed-000123/telemetry'],
    ['another root', 'acme/v1/bed-000123/telemetry'],
    ['a leading slash', '/anxin/v1/bed-000123/telemetry'],
    ['a trailing slash', 'anxin/v1/bed-000123/telemetry/'],
    ['an extra level below the channel', 'anxin/v1/bed-000123/telemetry/heartRate'],
    ['an unknown channel', 'anxin/v1/bed-000123/telemetrics'],
    ['no channel', 'anxin/v1/bed-000123'],
    ['an empty device id', 'anxin/v1//telemetry'],
    ['an upper-case device id', 'anxin/v1/BED-000123/telemetry'],
    ['a device id shorter than 3 characters', 'anxin/v1/b1/telemetry'],
    ['a device id longer than 64 characters', `anxin/v1/${'b'.repeat(65)}/telemetry`],
    ['a device id starting with a dash', 'anxin/v1/-bed-1/telemetry'],
    ['a wildcard as device id', 'anxin/v1/+/telemetry'],
    ['a multi-level wildcard', 'anxin/v1/bed-000123/#'],
    ['a $SYS topic', '$SYS/broker/clients/connected'],
    ['an empty topic', ''],
  ])('refuses %s', (_case, topic) => {
    expect(parseUplinkTopic(topic)).toBeUndefined();
  });

  it('builds the command topic a device subscribes to', () => {
    expect(topics.command('bed-000123')).toBe('anxin/v1/bed-000123/cmd');
  });
});
