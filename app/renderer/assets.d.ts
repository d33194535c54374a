/** Vite bundles imported stylesheets; they export nothing. */
declare module '*.css';
