import { readFileSync } from 'node:fs';
import { getDeviceType } from './catalogue.js';
import { renderCatalogueMarkdown } from './catalogue-doc.js';
import { decodeUplink } from './decode-uplink.js';
import { commandSchema, lastWillPayloadSchema, REJECTION_REASONS, UPLINK_CHANNELS, type UplinkChannel } from './protocol.js';

const protocolMd = readFileSync(new URL('./PROTOCOL.md', import.meta.url), 'utf8');

interface DocExample {
  readonly label: string;
  readonly payload: string;
}

/** `<!-- example: <label> -->` followed by a fenced block: JSON as-is, or the `-m '…'` / `--will-payload '…'` of a shell command. */
function examplesIn(markdown: string): DocExample[] {
  const pattern = /<!-- example: ([^>]+?) -->\n```(\w+)\n([\s\S]*?)```/g;
  return [...markdown.matchAll(pattern)].map(([, label, lang, body]) => {
    if (lang === 'json') return { label: label!, payload: body!.trim() };
    const quoted = /(?:-m|--will-payload) '([^']*)'/.exec(body!);
    if (quoted === null) throw new Error(`example "${label}" has no -m or --will-payload payload`);
    return { label: label!, payload: quoted[1]! };
  });
}

const examples = examplesIn(protocolMd);

describe('PROTOCOL.md', () => {
  it('lists the device types exactly as the catalogue defines them', () => {
    const section = /<!-- catalogue:start -->\n([\s\S]*?)\n<!-- catalogue:end -->/.exec(protocolMd);
    expect(section?.[1]).toBe(renderCatalogueMarkdown());
  });

  it('names every rejection reason', () => {
    for (const reason of REJECTION_REASONS) expect(protocolMd).toContain(`| \`${reason}\` |`);
  });

  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
  });

  it.each(examples.map((e, i) => [i + 1, e.label, e.payload] as const))('example %d (%s) means what the text around it says', (_n, label, payload) => {
    const words = label.split(' ');
    if (label === 'will') {
      expect(lastWillPayloadSchema.safeParse(JSON.parse(payload)).success).toBe(true);
      return;
    }
    if (label === 'command') {
      expect(commandSchema.safeParse(JSON.parse(payload)).success).toBe(true);
      return;
    }
    const [typeName, channel, verb, reason] = words;
    expect(UPLINK_CHANNELS).toContain(channel);
    const type = getDeviceType(typeName!);
    const result = decodeUplink(type, channel as UplinkChannel, payload);
    if (verb === 'rejects') {
      expect(result).toMatchObject({ ok: false, reason });
      return;
    }
    expect(result).toMatchObject({ ok: true });
    // Examples are fixtures, so the document and the tests describe the same devices.
    if (channel !== 'cmd/reply') {
      const fixtures = [...type.fixtures.valid, ...type.fixtures.edge].filter((f) => f.channel === channel);
      expect(fixtures.map((f) => f.payload)).toContainEqual(JSON.parse(payload));
    }
  });
});
