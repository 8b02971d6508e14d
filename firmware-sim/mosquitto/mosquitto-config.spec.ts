import { describe, expect, it } from '@jest/globals';
import { renderConfig } from './mosquitto-config.js';

const base = { port: 1883, bindAddress: '127.0.0.1', passwordFile: '/d/passwords', aclFile: '/d/acl' };

describe('renderConfig', () => {
  it('keeps sessions and their queued messages in the given dir when persistence is on (a restart must not lose acknowledged messages)', () => {
    const text = renderConfig({ ...base, persistence: true, persistenceDir: '/d' });
    expect(text).toContain('persistence true\npersistence_location /d/\n');
  });

  it('is memory-only by default', () => {
    const text = renderConfig(base);
    expect(text).toContain('persistence false');
    expect(text).not.toContain('persistence_location');
  });
});
