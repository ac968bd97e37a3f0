import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { slackManifestSchema } from './fixtures/slack-manifest-schema.js';

const root = new URL('..', import.meta.url).pathname;
const manifest = parse(readFileSync(join(root, 'manifest.yml'), 'utf8')) as {
  features: { bot_user: { display_name: string }; app_home: Record<string, boolean> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[] } };
};
const botScopes = new Set(manifest.oauth_config.scopes.bot);

/**
 * Every Web API method Repka calls with its bot token, and the bot scopes that allow it (any one
 * suffices), from the "Required scopes" of each method's page at docs.slack.dev/reference/methods/<method>.
 * `[]`: no scope needed. `filesUploadV2` is WebClient's name for files.getUploadURLExternal then
 * files.completeUploadExternal.
 */
const methodScopes: Record<string, readonly string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.getPermalink': [],
  'reactions.add': ['reactions:write'],
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'conversations.info': ['channels:read', 'groups:read'],
  'conversations.members': ['channels:read', 'groups:read'],
  'conversations.join': ['channels:join'],
  'conversations.open': ['im:write'],
  'users.info': ['users:read'],
  'views.open': [],
  'views.update': [],
  'views.publish': [],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  'files.info': ['files:read'],
};

/** Events Repka subscribes to and the scope each needs (docs.slack.dev/reference/events/<event>). */
const eventScopes: Record<string, readonly string[]> = {
  'message.channels': ['channels:history'],
  'message.groups': ['groups:history'],
  app_home_opened: [],
};

/**
 * The slash command needs `commands` (docs.slack.dev/interactivity/implementing-slash-commands);
 * reading a shared file's `url_private_download` with the bot token needs `files:read`
 * (docs.slack.dev/messaging/working-with-files: "your app will need the files:read scope").
 */
const otherScopes = ['commands', 'files:read'];

/** Web API methods named in the code under bots/: `client.chat.postMessage(`, `client.filesUploadV2(`. */
function methodsCalled(): Set<string> {
  const methods = new Set<string>();
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  for (const file of walk(join(root, 'bots'))) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\bclient\.([a-z]+)\.([a-zA-Z]+)\(/g)) methods.add(`${m[1]}.${m[2]}`);
    if (/\bclient\.filesUploadV2\(/.test(source)) for (const m of ['files.getUploadURLExternal', 'files.completeUploadExternal']) methods.add(m);
    for (const m of source.matchAll(/\bapiCall\(\s*'([a-z]+\.[a-zA-Z.]+)'/g)) methods.add(m[1] as string);
  }
  return methods;
}

describe('manifest.yml', () => {
  it("is valid against Slack's published manifest schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    const validate = ajv.compile(slackManifestSchema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check can fail: a 36-character app name and an unknown key are refused', () => {
    const validate = new Ajv({ allErrors: true }).compile(slackManifestSchema);
    const broken = structuredClone(manifest) as Record<string, any>;
    broken.display_information.name = 'R'.repeat(36);
    broken.features.app_home.messages_tab = false;
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/display_information/name', '/features/app_home']));
  });

  it('shows the Messages tab read-only: the report pages /repka stats sends are seen there, and nobody answers direct messages to the bot', () => {
    expect(manifest.features.app_home).toMatchObject({ messages_tab_enabled: true, messages_tab_read_only_enabled: true });
  });

  it('grants a scope for every Web API method Repka calls', () => {
    const called = methodsCalled();
    expect(called.size).toBeGreaterThan(10);
    const unlisted = [...called].filter((m) => !(m in methodScopes));
    expect(unlisted, 'methods called in bots/ but missing from the table above').toEqual([]);
    const uncovered = [...called].filter((m) => (methodScopes[m] ?? []).length > 0 && !(methodScopes[m] ?? []).some((s) => botScopes.has(s)));
    expect(uncovered).toEqual([]);
    expect(called).toContain('conversations.join');
    expect(botScopes).toContain('channels:join');
  });

  it('grants the scopes its events need, and no scope nothing uses', () => {
    for (const event of manifest.settings.event_subscriptions.bot_events) {
      expect(event in eventScopes, `event ${event} missing from the table`).toBe(true);
      for (const scope of eventScopes[event] ?? []) expect(botScopes).toContain(scope);
    }
    const used = new Set([...Object.values(methodScopes).flat(), ...Object.values(eventScopes).flat(), ...otherScopes]);
    expect([...botScopes].filter((s) => !used.has(s))).toEqual([]);
  });
});
