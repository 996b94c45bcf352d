import { describe, expect, it } from 'vitest';
import { sendLogPath, stateLocation } from '../../src/state/location.js';

describe('the per-user state location', () => {
  it("takes the plan's stateDir first", () => {
    expect(stateLocation({ stateDir: '/srv/relaycheck' }, { STATE_DIRECTORY: '/var/lib/relaycheck', XDG_STATE_HOME: '/home/a/.state', HOME: '/home/a' })).toEqual({ dir: '/srv/relaycheck', source: 'plan' });
  });

  it("then systemd's $STATE_DIRECTORY, the first of a colon-separated list", () => {
    expect(stateLocation({}, { STATE_DIRECTORY: '/var/lib/relaycheck:/var/lib/other', XDG_STATE_HOME: '/home/a/.state', HOME: '/home/a' })).toEqual({ dir: '/var/lib/relaycheck', source: 'STATE_DIRECTORY' });
  });

  it('then $XDG_STATE_HOME/relaycheck, ignoring a relative one as the XDG spec says', () => {
    expect(stateLocation({}, { XDG_STATE_HOME: '/home/a/.state', HOME: '/home/a' })).toEqual({ dir: '/home/a/.state/relaycheck', source: 'XDG_STATE_HOME' });
    expect(stateLocation({}, { XDG_STATE_HOME: 'relative/state', HOME: '/home/a' })).toEqual({ dir: '/home/a/.local/state/relaycheck', source: 'home' });
  });

  it('else ~/.local/state/relaycheck, where the send log is send-log.sqlite', () => {
    expect(sendLogPath({}, { HOME: '/home/a' })).toBe('/home/a/.local/state/relaycheck/send-log.sqlite');
  });
});
