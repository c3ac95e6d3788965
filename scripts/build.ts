/**
 * `npm run build`: the production start's files in dist/ (issue #21, item 7).
 *   1. TypeScript → plain JavaScript with tsconfig.build.json. The source writes relative
 *      imports without an extension (moduleResolution Bundler, fine for tsx); Node's ESM
 *      loader needs the file's full name, so each one is rewritten while emitting to the
 *      file the compiler resolved it to ('./config' → './config.js', './sim' → './sim/index.js').
 *   2. What the runtime reads from disk next to the code: locales/ and web/ (the code finds
 *      them at ../locales and ../../web from its own file, as in the source tree).
 *   3. The understanding model, trained once by the built code and saved with the fingerprint
 *      of its training data (dialogs/understanding/modelFile.ts).
 * node_modules stays where it is: dist/ is resolved against the app root's node_modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist');
const RUNTIME_DIRS = ['locales', 'web'];

function fail(message: string): never {
  process.stderr.write(`build failed: ${message}\n`);
  process.exit(1);
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

const started = performance.now();
fs.rmSync(OUT, { recursive: true, force: true });
compile();
for (const dir of RUNTIME_DIRS) fs.cpSync(path.join(ROOT, dir), path.join(OUT, dir), { recursive: true });
// Node reads "type": "module" from the nearest package.json: the app root's, one level up.
await trainModel();
process.stdout.write(`built dist/ in ${Math.round(performance.now() - started)} ms; start it with npm run start:prod (node dist/bot/main.js)\n`);
