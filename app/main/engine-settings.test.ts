import { describe, expect, it } from 'vitest';
import { engineOptionsFromEnvironment } from './engine-settings.js';

describe('engine settings from the environment', () => {
  it('reads the buffer budget and cap in MiB', () => {
    expect(engineOptionsFromEnvironment({})).toEqual({});
    expect(engineOptionsFromEnvironment({ NETPROC_BUFFER_BUDGET_MIB: '256', NETPROC_BUFFER_CAP_MIB: '0.5' })).toEqual({
      bufferBudget: 256 * 1024 * 1024,
      bufferCap: 512 * 1024,
    });
  });

  it('refuses values that are not a positive number of MiB, naming the variable', () => {
    for (const bad of ['0', '-1', 'lots', 'Infinity', '2000000']) {
      expect(() => engineOptionsFromEnvironment({ NETPROC_BUFFER_BUDGET_MIB: bad })).toThrow(
        /NETPROC_BUFFER_BUDGET_MIB must be a positive number of MiB/,
      );
    }
  });
});
