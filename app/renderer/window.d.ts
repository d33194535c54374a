import type { NetprocApi } from '../shared/api.js';

declare global {
  interface Window {
    /** The contract, from the Electron preload; absent in a browser tab, where the web shim provides it. */
    netproc?: NetprocApi;
  }
}
