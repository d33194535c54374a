import { test } from '@playwright/test';
import { NO_ELECTRON_REASON } from '../hosts.js';

// Run only where no Electron binary exists: one skipped test that says why, never a pass.
test('the desktop app (Electron) end-to-end suite', () => {
  test.skip(true, NO_ELECTRON_REASON);
});
