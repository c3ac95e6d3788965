/**
 * The app's root directory: where locales/, web/ and model/ are read from. This file sits one
 * level below it in every layout the app runs from: bot/appRoot.ts under tsx, dist/bot/appRoot.js
 * in the compiled output, and dist/bot/server.cjs when bundled (the bundle's import.meta.url is
 * its own file's), so every module that reads files asks here instead of counting `..` from its
 * own place, which a bundle moves.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Running TypeScript from source (tsx), not the build. */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');
