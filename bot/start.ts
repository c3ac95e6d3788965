/**
 * The production entry (`npm run start:prod`, the image's CMD): runs the bundle `npm run build`
 * makes (dist/bot/server.cjs, the whole app and its packages in one file) with the V8 code
 * cache the build saved beside it (server.cjs.cache). Issue #21, item 7: about a second to
 * ready instead of 1.7 s, because Node neither resolves ~1,500 module files nor parses and
 * compiles their code again: V8 takes the compiled functions from the cache.
 *
 * Node 20 has no compile cache for modules (module.enableCompileCache is Node 22), so the
 * bundle is CommonJS and run here through vm.Script, the one API that takes cached data. The
 * cache is checked by V8 against the source and the engine's version and flags: one made for
 * other code or another Node is rejected, and the app starts anyway, without it, a little slower.
 *
 * MUSAED_WRITE_CODE_CACHE=1 (the build only): once the app is ready, the parent sends
 * 'write-code-cache' over IPC; the cache, now holding every function start-up compiled, is written.
 */
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const BUNDLE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.cjs');
const CACHE = `${BUNDLE}.cache`;

/** One line in the app's log format (pino JSON), before the app's logger exists. */
function log(level: 'info' | 'warn', msg: string): void {
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), app: 'musaed', msg })}\n`);
}

function readCache(): Buffer | undefined {
  try {
    return fs.readFileSync(CACHE);
  } catch {
    return undefined;
  }
}

if (!fs.existsSync(BUNDLE)) {
  process.stderr.write(`Musaed failed to start: ${BUNDLE} is missing; run npm run build first\n`);
  process.exit(1);
}

const cachedData = readCache();
// Module.wrap gives the bundle the CommonJS function scope (exports, require, module, __filename, __dirname).
const script = new vm.Script(Module.wrap(fs.readFileSync(BUNDLE, 'utf8')), {
  filename: BUNDLE,
  cachedData,
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (!cachedData) log('warn', 'no code cache beside the bundle: compiling at start-up (run npm run build)');
else if (script.cachedDataRejected) log('warn', 'code cache rejected (built by another Node or for other code): compiling at start-up');

const bundleModule = new Module(BUNDLE);
bundleModule.filename = BUNDLE;
const run = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: Module, filename: string, dirname: string) => void;
run.call(bundleModule.exports, bundleModule.exports, createRequire(BUNDLE), bundleModule, BUNDLE, path.dirname(BUNDLE));

if (process.env.MUSAED_WRITE_CODE_CACHE === '1' && process.send) {
  process.on('message', (message) => {
    if (message !== 'write-code-cache') return;
    fs.writeFileSync(CACHE, script.createCachedData());
    process.send?.('code-cache-written');
  });
}
