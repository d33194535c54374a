import { describe, expect, it } from 'vitest';
import { engineOptionsFromEnvironment, webPinStoreFile } from './engine-settings.js';

describe('engine settings from the environment', () => {
  it('reads the buffer budget and cap in MiB', () => {
    expect(engineOptionsFromEnvironment({})).toEqual({});
    expect(engineOptionsFromEnvironment({ NETPROC_BUFFER_BUDGET_MIB: '256', NETPROC_BUFFER_CAP_MIB: '0.5' })).toEqual({
      bufferBudget: 256 * 1024 * 1024,
      bufferCap: 512 * 1024,
    });
  });

  it('takes the pin file from NETPROC_PIN_FILE over the host default; empty keeps pins in memory', () => {
    expect(engineOptionsFromEnvironment({}, { pinStoreFile: '/data/pins.json' })).toEqual({ pinStoreFile: '/data/pins.json' });
    expect(engineOptionsFromEnvironment({ NETPROC_PIN_FILE: '/tmp/p.json' }, { pinStoreFile: '/data/pins.json' })).toEqual({
      pinStoreFile: '/tmp/p.json',
    });
    expect(engineOptionsFromEnvironment({ NETPROC_PIN_FILE: '' }, { pinStoreFile: '/data/pins.json' })).toEqual({ pinStoreFile: null });
    expect(() => engineOptionsFromEnvironment({ NETPROC_PIN_FILE: 'pins.json' })).toThrow(/NETPROC_PIN_FILE must be an absolute path/);
    expect(webPinStoreFile({}, '/home/u')).toBe('/home/u/.config/netproc/certificate-pins.json');
    expect(webPinStoreFile({ XDG_CONFIG_HOME: '/cfg' }, '/home/u')).toBe('/cfg/netproc/certificate-pins.json');
  });

  it('refuses values that are not a positive number of MiB, naming the variable', () => {
    for (const bad of ['0', '-1', 'lots', 'Infinity', '2000000']) {
      expect(() => engineOptionsFromEnvironment({ NETPROC_BUFFER_BUDGET_MIB: bad })).toThrow(
        /NETPROC_BUFFER_BUDGET_MIB must be a positive number of MiB/,
      );
    }
  });
});
