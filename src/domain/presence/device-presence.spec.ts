import { boundHeartbeat, DevicePresence, type PresencePolicy, type PresenceTransition } from './device-presence.js';

const T0 = 1_700_000_000_000;
const ID = 'bed-000123';

/** One step of a device's life; `t` is seconds after T0. */
type Step =
  | { t: number; do: 'connect' }
  | { t: number; do: 'seen'; heartbeatS?: number }
  | { t: number; do: 'will' }
  | { t: number; do: 'disconnect' }
  | { t: number; do: 'sweep' };

/** Runs the steps and returns the transitions as compact strings: `online@0`, `offline:last_will@30`. */
function run(steps: Step[], policy: Partial<PresencePolicy> = { heartbeatMisses: 3, defaultHeartbeatS: 60 }): string[] {
  const presence = new DevicePresence(policy);
  const out: PresenceTransition[] = [];
  for (const step of steps) {
    const at = T0 + step.t * 1000;
    const push = (t: PresenceTransition | undefined): void => { if (t !== undefined) out.push(t); };
    switch (step.do) {
      case 'connect': push(presence.markConnected(ID, at)); break;
      case 'seen': push(presence.markSeen(ID, at, step.heartbeatS)); break;
      case 'will': push(presence.markDisconnected(ID, at, 'last_will')); break;
      case 'disconnect': push(presence.markDisconnected(ID, at, 'disconnected')); break;
      case 'sweep': out.push(...presence.sweep(at)); break;
    }
  }
  return out.map((t) => (t.state === 'online' ? `online@${(t.at - T0) / 1000}` : `offline:${t.reason}@${(t.at - T0) / 1000}`));
}

describe('DevicePresence', () => {
  it.each<[string, Step[], string[]]>([
    ['a connect brings a device online once', [{ t: 0, do: 'connect' }, { t: 1, do: 'seen' }, { t: 2, do: 'connect' }], ['online@0']],
    ['a last will offlines it with reason last_will', [{ t: 0, do: 'connect' }, { t: 30, do: 'will' }], ['online@0', 'offline:last_will@30']],
    ['a clean disconnect does not offline it at once: it keeps the heartbeat grace', [{ t: 0, do: 'connect' }, { t: 30, do: 'disconnect' }, { t: 180, do: 'sweep' }], ['online@0']],
    ['a clean disconnect followed by silence past three heartbeats offlines it with reason disconnected', [{ t: 0, do: 'connect' }, { t: 30, do: 'disconnect' }, { t: 181, do: 'sweep' }], ['online@0', 'offline:disconnected@181']],
    ['the grace after a clean disconnect counts from the last message, like silence', [{ t: 0, do: 'connect' }, { t: 100, do: 'seen' }, { t: 120, do: 'disconnect' }, { t: 280, do: 'sweep' }, { t: 281, do: 'sweep' }], ['online@0', 'offline:disconnected@281']],
    ['a device that disconnects cleanly and reconnects within the grace (a reboot) never goes offline', [{ t: 0, do: 'connect' }, { t: 30, do: 'disconnect' }, { t: 45, do: 'connect' }, { t: 200, do: 'sweep' }], ['online@0']],
    ['a device back after a clean disconnect and then silent is offline for missed heartbeats, not disconnected', [{ t: 0, do: 'connect' }, { t: 30, do: 'disconnect' }, { t: 45, do: 'connect' }, { t: 226, do: 'sweep' }], ['online@0', 'offline:missed_heartbeats@226']],
    ['a last will after a clean disconnect (a new connection lost) offlines it at once', [{ t: 0, do: 'connect' }, { t: 30, do: 'disconnect' }, { t: 40, do: 'will' }], ['online@0', 'offline:last_will@40']],
    ['a sweep within three default heartbeats (180 s) changes nothing', [{ t: 0, do: 'connect' }, { t: 180, do: 'sweep' }], ['online@0']],
    ['a sweep after three missed default heartbeats offlines it', [{ t: 0, do: 'connect' }, { t: 181, do: 'sweep' }], ['online@0', 'offline:missed_heartbeats@181']],
    ['messages push the deadline back', [{ t: 0, do: 'connect' }, { t: 100, do: 'seen' }, { t: 250, do: 'sweep' }], ['online@0']],
    ['an announced heartbeat interval sets the deadline', [{ t: 0, do: 'connect' }, { t: 0, do: 'seen', heartbeatS: 10 }, { t: 30, do: 'sweep' }, { t: 31, do: 'sweep' }], ['online@0', 'offline:missed_heartbeats@31']],
    ['a device offline by will is not offlined again by the sweep', [{ t: 0, do: 'connect' }, { t: 10, do: 'will' }, { t: 500, do: 'sweep' }], ['online@0', 'offline:last_will@10']],
    ['a device offline by missed heartbeats is not offlined again by its will', [{ t: 0, do: 'connect' }, { t: 200, do: 'sweep' }, { t: 210, do: 'will' }, { t: 220, do: 'disconnect' }], ['online@0', 'offline:missed_heartbeats@200']],
    ['repeated sweeps offline once', [{ t: 0, do: 'connect' }, { t: 200, do: 'sweep' }, { t: 400, do: 'sweep' }], ['online@0', 'offline:missed_heartbeats@200']],
    ['a message from an offline device brings it online', [{ t: 0, do: 'connect' }, { t: 200, do: 'sweep' }, { t: 205, do: 'seen' }], ['online@0', 'offline:missed_heartbeats@200', 'online@205']],
    ['a reconnect after a will brings it online again', [{ t: 0, do: 'connect' }, { t: 10, do: 'will' }, { t: 20, do: 'connect' }], ['online@0', 'offline:last_will@10', 'online@20']],
    ['a disconnect of a device never seen emits nothing', [{ t: 0, do: 'disconnect' }, { t: 1, do: 'will' }], []],
    ['the announced interval survives a reconnect', [{ t: 0, do: 'seen', heartbeatS: 10 }, { t: 5, do: 'will' }, { t: 6, do: 'connect' }, { t: 37, do: 'sweep' }], ['online@0', 'offline:last_will@5', 'online@6', 'offline:missed_heartbeats@37']],
  ])('%s', (_name, steps, expected) => {
    expect(run(steps)).toEqual(expected);
  });

  it('honours a configured number of misses', () => {
    expect(run([{ t: 0, do: 'connect' }, { t: 61, do: 'sweep' }], { heartbeatMisses: 1, defaultHeartbeatS: 60 })).toEqual(['online@0', 'offline:missed_heartbeats@61']);
  });

  it('reports when the device was last seen on going offline', () => {
    const presence = new DevicePresence();
    presence.markConnected(ID, T0);
    presence.markSeen(ID, T0 + 5_000);
    expect(presence.sweep(T0 + 1_000_000)).toEqual([{ deviceId: ID, state: 'offline', at: T0 + 1_000_000, reason: 'missed_heartbeats', lastSeenAt: T0 + 5_000 }]);
  });

  it('does not move last seen backwards on a late timestamp', () => {
    const presence = new DevicePresence();
    presence.markSeen(ID, T0 + 10_000);
    presence.markSeen(ID, T0);
    expect(presence.lastSeenAt(ID)).toBe(T0 + 10_000);
  });
});

describe('boundHeartbeat: an announced interval is held to the type\'s maximum', () => {
  it.each([
    [86_400, 900, { heartbeatS: 900, aboveMax: true }],
    [901, 900, { heartbeatS: 900, aboveMax: true }],
    [900, 900, { heartbeatS: 900, aboveMax: false }],
    [60, 900, { heartbeatS: 60, aboveMax: false }],
  ])('announced %i s, maximum %i s → %j', (announced, max, expected) => {
    expect(boundHeartbeat(announced, max)).toEqual(expected);
  });
});
