import { getDeviceType } from '../../devices/catalogue.js';
import { decodeUplink } from '../../devices/decode-uplink.js';
import { parseUplinkTopic } from '../../devices/protocol.js';
import { compileScenario } from '../scenarios/scenario.js';
import { SCENARIOS } from '../scenarios/scenario-library.js';
import type { DayModifier } from '../household/household.js';
import type { DeviceEffect } from '../fleet/sim-engine.js';
import { buildDemoManifest, withDemoSecrets } from '../manifest/fleet-manifest.js';
import { DAY_MS } from '../util/local-time.js';
import { makeVirtualFleet, VIRTUAL_START, type VirtualFleet } from '../testing/virtual-fleet.js';

function rejections(fleet: VirtualFleet): string[] {
  const types = new Map(fleet.manifest.homes.flatMap((h) => h.devices.map((d) => [d.deviceId, d.type] as const)));
  const out: string[] = [];
  for (const p of fleet.published) {
    const parsed = parseUplinkTopic(p.topic);
    if (!parsed || parsed.deviceId !== p.deviceId) {
      out.push(`bad topic ${p.topic}`);
      continue;
    }
    const result = decodeUplink(getDeviceType(types.get(p.deviceId)!), parsed.channel, p.payload);
    if (!result.ok) out.push(`${p.topic} ${result.reason}: ${result.detail} in ${p.payload.slice(0, 160)}`);
  }
  return out;
}

describe('messages a simulated device produces', () => {
  it('all decode with the platform decoder over a simulated day, for homes alone and as couples', () => {
    const fleet = makeVirtualFleet({ homes: 4, seed: 7, composition: (id) => (id.endsWith('1') || id.endsWith('3') ? 'couple' : 'alone') });
    fleet.engine.runUntil(VIRTUAL_START + DAY_MS);
    expect(fleet.published.length).toBeGreaterThan(4 * 20_000);
    expect(rejections(fleet)).toEqual([]);
  });

  it('all decode when every scenario of the library plays out', () => {
    const manifest = withDemoSecrets(buildDemoManifest(SCENARIOS.length, 3), 'k');
    const modifiers = new Map<string, readonly DayModifier[]>();
    const effects: DeviceEffect[] = [];
    SCENARIOS.forEach((def, i) => {
      const home = manifest.homes[i]!;
      const compiled = compileScenario(def, home, VIRTUAL_START, (t) => t);
      modifiers.set(home.homeId, compiled.modifiers);
      effects.push(...compiled.effects.filter((e) => e.kind !== 'flap'));
    });
    const fleet = makeVirtualFleet({ manifest, seed: 3, modifiers, effects });
    fleet.engine.runUntil(VIRTUAL_START + DAY_MS);
    expect(rejections(fleet)).toEqual([]);
    const events = fleet.published.filter((p) => p.topic.endsWith('/event')).map((p) => (JSON.parse(p.payload) as { event: string }).event);
    for (const e of ['fall', 'im_ok', 'sos', 'apnea', 'smoke', 'smoke_cleared', 'gas', 'gas_cleared', 'water_leak', 'bed_exit', 'door_open']) {
      expect(events).toContain(e);
    }
  });

  it('keeps seq strictly increasing per device and ts within its ±2 s clock skew of simulated time', () => {
    const fleet = makeVirtualFleet({ homes: 1, seed: 11 });
    fleet.engine.runUntil(VIRTUAL_START + DAY_MS / 4);
    const last = new Map<string, number>();
    for (const p of fleet.published) {
      const { seq, ts } = JSON.parse(p.payload) as { seq: number; ts: number };
      const prev = last.get(p.deviceId);
      if (prev !== undefined) expect(seq).toBe(prev + 1);
      last.set(p.deviceId, seq);
      expect(ts).toBeGreaterThanOrEqual(VIRTUAL_START - 2_000);
      expect(ts).toBeLessThanOrEqual(VIRTUAL_START + DAY_MS / 4 + 2_000);
    }
  });

  it('answers every command kind on cmd/reply with the command id', () => {
    const fleet = makeVirtualFleet({ homes: 1, seed: 5 });
    const wearable = fleet.manifest.homes[0]!.devices.find((d) => d.type === 'wearable')!.deviceId;
    const link = fleet.links.get(wearable)!;
    const ts = VIRTUAL_START;
    link.command(JSON.stringify({ cmdId: 'c1', ts, name: 'locate' }));
    link.command(JSON.stringify({ cmdId: 'c2', ts, name: 'set_interval', args: { telemetryS: 30, heartbeatS: 120 } }));
    link.command(JSON.stringify({ cmdId: 'c3', ts, name: 'silence_alarm', args: { durationS: 60 } }));
    link.command(JSON.stringify({ cmdId: 'c4', ts, name: 'sync_time', args: { serverTs: ts + 1500 } }));
    link.command(JSON.stringify({ cmdId: 'c5', ts, name: 'fly', args: {} }));
    const replies = fleet.published.filter((p) => p.topic.endsWith('/cmd/reply')).map((p) => JSON.parse(p.payload) as Record<string, unknown>);
    expect(replies.map((r) => [r['cmdId'], r['ok']])).toEqual([['c1', true], ['c2', true], ['c3', false], ['c4', true], ['c5', false]]);
    const located = replies[0]!['result'] as { lat: unknown; lon: unknown };
    expect(typeof located.lat).toBe('number');
    expect(typeof located.lon).toBe('number');
    expect(fleet.engine.device(wearable)!.skewMs).toBe(1500);
    expect(rejections(fleet)).toEqual([]);
    // set_interval took effect: 30 s telemetry for the next 10 minutes.
    const before = fleet.published.length;
    fleet.engine.runUntil(VIRTUAL_START + 10 * 60_000);
    const telemetry = fleet.published.slice(before).filter((p) => p.deviceId === wearable && p.topic.endsWith('/telemetry'));
    expect(telemetry.length).toBeGreaterThanOrEqual(19);
  });
});
