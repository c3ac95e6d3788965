/**
 * `npm run build`: the production start's files in dist/ (issue #21, item 7).
 *   1. TypeScript → plain JavaScript with tsconfig.build.json. The source writes relative
 *      imports without an extension (moduleResolution Bundler, fine for tsx); Node's ESM
 *      loader needs the file's full name, so each one is rewritten while emitting to the
 *      file the compiler resolved it to ('./config' → './config.js', './sim' → './sim/index.js').
 *   2. What the runtime reads from disk next to the code: locales/ and web/ (the code finds
 *      them from the app root, bot/appRoot.ts: dist/ in the build, as the source tree's root).
 *   3. The understanding model, trained once by the built code and saved with the fingerprint
 *      of its training data (dialogs/understanding/modelFile.ts).
 *   4. The bundle the production start runs (bot/start.ts): dist/bot/main.js and every package
 *      it loads in one CommonJS file, dist/bot/server.cjs (esbuild), so Node resolves and reads
 *      one file instead of ~1,500. Identifiers are kept (stack traces stay readable).
 *   5. V8's code cache for the bundle (server.cjs.cache): the built app is started once, and
 *      when it is ready the functions start-up compiled are saved; a production start then
 *      compiles almost nothing. Made by this Node: the image builds and runs on the same base.
 * node_modules stays where it is: dist/ is resolved against the app root's node_modules (the
 * bundle needs it only for files served as they are, such as Web Chat's script).
 *
 *   node --import tsx scripts/build.ts [--out <dir inside the app root>]   (default dist)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import esbuild from 'esbuild';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = outDir();
const RUNTIME_DIRS = ['locales', 'web'];

function fail(message: string): never {
  process.stderr.write(`build failed: ${message}\n`);
  process.exit(1);
}

/** --out: inside the app root, where the built code finds node_modules and "type": "module". */
function outDir(): string {
  const i = process.argv.indexOf('--out');
  const out = path.resolve(ROOT, i >= 0 ? (process.argv[i + 1] ?? '') : 'dist');
  if (out === ROOT || !out.startsWith(ROOT + path.sep)) fail(`--out must be a directory inside ${ROOT}`);
  return out;
}

/** './x' → './x.js' or './x/index.js', as the compiler resolved it from `fromFile`. */
function withExtension(specifier: string, fromFile: string, options: ts.CompilerOptions): string {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return specifier;
  if (/\.(m?js|json)$/.test(specifier)) return specifier;
  const resolved = ts.resolveModuleName(specifier, fromFile, options, ts.sys).resolvedModule;
  if (!resolved || resolved.isExternalLibraryImport) fail(`${path.relative(ROOT, fromFile)}: cannot resolve ${specifier}`);
  const target = resolved.resolvedFileName.replace(/\.ts$/, '.js');
  let relative = path.relative(path.dirname(fromFile), target).split(path.sep).join('/');
  if (!relative.startsWith('.')) relative = `./${relative}`;
  return relative;
}

function extensionRewriter(options: ts.CompilerOptions): ts.TransformerFactory<ts.SourceFile> {
  return (context) => (sourceFile) => {
    const { factory } = context;
    const rewrite = (s: ts.StringLiteral) => factory.createStringLiteral(withExtension(s.text, sourceFile.fileName, options));
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        return factory.updateImportDeclaration(node, node.modifiers, node.importClause, rewrite(node.moduleSpecifier), node.attributes);
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        return factory.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, rewrite(node.moduleSpecifier), node.attributes);
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        return factory.updateCallExpression(node, node.expression, node.typeArguments, [rewrite(node.arguments[0]), ...node.arguments.slice(1)]);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(sourceFile, visit, context);
  };
}

function compile(): void {
  const configFile = path.join(ROOT, 'tsconfig.build.json');
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error) fail(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configFile);
  parsed.options.outDir = OUT;
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const emitted = program.emit(undefined, undefined, undefined, false, { after: [extensionRewriter(parsed.options)] });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length) {
    const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
    fail(`\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
}

async function trainModel(): Promise<void> {
  // The built code trains and fingerprints: the fingerprint covers the .js files it will load.
  type Recognizer = typeof import('../dialogs/understanding/recognizer');
  type ModelFile = typeof import('../dialogs/understanding/modelFile');
  type Softmax = typeof import('../dialogs/understanding/softmax');
  const dir = path.join(OUT, 'dialogs', 'understanding');
  const load = async <T>(name: string) => (await import(pathToFileURL(path.join(dir, `${name}.js`)).href)) as T;
  const { examplesOf, loadTrainingData, DEFAULT_MODEL_FILE } = await load<Recognizer>('recognizer');
  const { trainingFingerprint, writeModelFile } = await load<ModelFile>('modelFile');
  const { SoftmaxClassifier } = await load<Softmax>('softmax');
  const examples = examplesOf(loadTrainingData());
  const started = performance.now();
  writeModelFile(DEFAULT_MODEL_FILE, new SoftmaxClassifier(examples), trainingFingerprint(examples));
  const kb = Math.round(fs.statSync(DEFAULT_MODEL_FILE).size / 1024);
  process.stdout.write(`model: ${examples.length} examples, trained in ${Math.round(performance.now() - started)} ms → ${path.relative(ROOT, DEFAULT_MODEL_FILE)} (${kb} KB)\n`);
}

const BUNDLE = path.join(OUT, 'bot', 'server.cjs');
const START = path.join(OUT, 'bot', 'start.js');

async function bundle(): Promise<void> {
  const result = await esbuild.build({
    entryPoints: [path.join(OUT, 'bot', 'main.js')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // restify's optional DTrace probes: a native addon, absent here; restify runs without it.
    external: ['dtrace-provider'],
    // The app's modules find the app root from import.meta.url (bot/appRoot.ts): in the bundle,
    // the bundle's own URL, one level below dist/ as bot/appRoot.js is.
    define: { 'import.meta.url': '__musaedBundleUrl' },
    banner: { js: "var __musaedBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  if (result.errors.length) fail('bundle: see the errors above');
  const kb = Math.round(fs.statSync(BUNDLE).size / 1024);
  process.stdout.write(`bundle: ${path.relative(ROOT, BUNDLE)} (${kb} KB)\n`);
}

/**
 * Starts the bundle on embedded defaults (in-memory state, in-process simulator) on a port the
 * system picks (PORT=0, read back from its "listening" line), waits for /readyz, saves the cache.
 */
async function writeCodeCache(): Promise<void> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', MUSAED_WRITE_CODE_CACHE: '1' };
  const child = spawn(process.execPath, [START], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) fail(`the bundle exited with ${child.exitCode} before it was ready:\n${output}`);
      if (Date.now() > deadline) fail(`the bundle was not ready in 120 s:\n${output}`);
      // The line names localhost; the process listens on HOST, 127.0.0.1.
      const port = /"url":"http:\/\/localhost:(\d+)","msg":"Musaed is listening"/.exec(output)?.[1];
      const url = port === undefined ? undefined : `http://127.0.0.1:${port}`;
      const ready = url !== undefined && (await fetch(`${url}/readyz`).then((r) => r.ok, () => false));
      if (ready) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const written = new Promise<void>((resolve) => child.on('message', (m) => m === 'code-cache-written' && resolve()));
    child.send('write-code-cache');
    await written;
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  const kb = Math.round(fs.statSync(`${BUNDLE}.cache`).size / 1024);
  process.stdout.write(`code cache: ${path.relative(ROOT, BUNDLE)}.cache (${kb} KB)\n`);
}

const started = performance.now();
fs.rmSync(OUT, { recursive: true, force: true });
compile();
for (const dir of RUNTIME_DIRS) fs.cpSync(path.join(ROOT, dir), path.join(OUT, dir), { recursive: true });
// Node reads "type": "module" from the nearest package.json: the app root's, one level up.
await trainModel();
await bundle();
await writeCodeCache();
const outName = path.relative(ROOT, OUT);
process.stdout.write(`built ${outName}/ in ${Math.round(performance.now() - started)} ms; start it with npm run start:prod (node ${outName}/bot/start.js)\n`);
