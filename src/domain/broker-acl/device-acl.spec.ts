import { decideConnect, decidePublish, decideSubscribe, decideWill, type ConnectAttempt } from './device-acl.js';

const makeAttempt = (overrides: Partial<ConnectAttempt> = {}): ConnectAttempt => ({
  clientId: 'bed-000123',
  username: 'bed-000123',
  passwordOk: true,
  deviceKnown: true,
  deviceDisabled: false,
  throttled: false,
  ...overrides,
});

describe('decideConnect', () => {
  it('accepts a known, enabled device whose client id is its device id and whose secret matches', () => {
    expect(decideConnect(makeAttempt())).toEqual({ allow: true });
  });

  it.each<[string, Partial<ConnectAttempt>, string]>([
    ['a locked-out login, even with the right secret', { throttled: true }, 'login_throttled'],
    ['a locked-out login before anything else is checked', { throttled: true, deviceKnown: false, passwordOk: false }, 'login_throttled'],
    ['no username', { username: undefined }, 'unknown_device'],
    ['a username that is not a device id', { username: 'Bed 1', clientId: 'Bed 1' }, 'unknown_device'],
    ['an unknown device', { deviceKnown: false, passwordOk: false }, 'unknown_device'],
    ['a wrong secret', { passwordOk: false }, 'bad_credentials'],
    ['a client id other than the username (takeover attempt)', { clientId: 'bed-000999' }, 'client_id_mismatch'],
    ['an empty client id', { clientId: '' }, 'client_id_mismatch'],
    ['a wrong secret before a client id mismatch', { passwordOk: false, clientId: 'bed-000999' }, 'bad_credentials'],
    ['a disabled device with the right secret', { deviceDisabled: true }, 'device_disabled'],
    ['a disabled device with a wrong secret as bad credentials', { deviceDisabled: true, passwordOk: false }, 'bad_credentials'],
  ])('refuses %s', (_name, overrides, reason) => {
    expect(decideConnect(makeAttempt(overrides))).toEqual({ allow: false, reason });
  });
});

describe('decidePublish', () => {
  it.each([
    'anxin/v1/bed-000123/telemetry',
    'anxin/v1/bed-000123/event',
    'anxin/v1/bed-000123/status',
    'anxin/v1/bed-000123/batch',
    'anxin/v1/bed-000123/cmd/reply',
  ])('lets a device publish to its own %s', (topic) => {
    expect(decidePublish('bed-000123', topic)).toEqual({ allow: true });
  });

  it.each([
    ['another device\'s telemetry', 'anxin/v1/bed-000999/telemetry'],
    ['its own command topic', 'anxin/v1/bed-000123/cmd'],
    ['an unknown channel', 'anxin/v1/bed-000123/config'],
    ['a deeper topic', 'anxin/v1/bed-000123/telemetry/x'],
    ['a trailing slash', 'anxin/v1/bed-000123/telemetry/'],
    ['another protocol version', 'anxin/v2/bed-000123/telemetry'],
    ['$SYS', '$SYS/broker/clients'],
    ['a prefix of its own id', 'anxin/v1/bed-00012/telemetry'],
    ['an empty topic', ''],
  ])('refuses a publish to %s', (_name, topic) => {
    expect(decidePublish('bed-000123', topic)).toEqual({ allow: false, reason: 'publish_denied' });
  });
});

describe('decideSubscribe', () => {
  it('lets a device subscribe to exactly its own command topic', () => {
    expect(decideSubscribe('bed-000123', 'anxin/v1/bed-000123/cmd')).toEqual({ allow: true });
  });

  it.each([
    ['everything', '#'],
    ['$SYS', '$SYS/#'],
    ['another device\'s commands', 'anxin/v1/bed-000999/cmd'],
    ['every device\'s commands', 'anxin/v1/+/cmd'],
    ['its own subtree', 'anxin/v1/bed-000123/#'],
    ['a shared subscription', '$share/g/anxin/v1/bed-000123/cmd'],
    ['its own telemetry', 'anxin/v1/bed-000123/telemetry'],
    ['its command replies', 'anxin/v1/bed-000123/cmd/reply'],
  ])('refuses a subscription to %s', (_name, filter) => {
    expect(decideSubscribe('bed-000123', filter)).toEqual({ allow: false, reason: 'subscribe_denied' });
  });
});

describe('decideWill', () => {
  it('lets a device leave a will on its own status topic', () => {
    expect(decideWill('bed-000123', 'anxin/v1/bed-000123/status')).toEqual({ allow: true });
  });

  it.each([
    ['another device\'s status', 'anxin/v1/bed-000999/status'],
    ['its own telemetry', 'anxin/v1/bed-000123/telemetry'],
    ['another device\'s commands', 'anxin/v1/bed-000999/cmd'],
    ['$SYS', '$SYS/x'],
  ])('refuses a will aimed at %s', (_name, topic) => {
    expect(decideWill('bed-000123', topic)).toEqual({ allow: false, reason: 'will_denied' });
  });
});
